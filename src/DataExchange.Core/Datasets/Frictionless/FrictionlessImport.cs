using System.Text.Json.Nodes;
using DataExchange.Core.Common;
using DataExchange.Core.Feeds;

namespace DataExchange.Core.Datasets.Frictionless;

/// <summary>Registering from a Frictionless data package (issue 3).</summary>
public sealed record FrictionlessImportRequest
{
    /// <summary><c>&lt;agency-code&gt;.&lt;slug&gt;</c>; default: the caller's agency and the package name.</summary>
    public string? Id { get; init; }
    /// <summary>The <c>datapackage.json</c> document.</summary>
    public JsonObject? DataPackage { get; init; }
    /// <summary>Resource to import; default the first.</summary>
    public string? Resource { get; init; }
    /// <summary>Key fields when the package declares no primaryKey.</summary>
    public IReadOnlyList<string>? KeyFields { get; init; }
    /// <summary>Overrides the package title.</summary>
    public string? Title { get; init; }
    public string? Classification { get; init; }
    public IReadOnlyList<string>? Tags { get; init; }
    public FeedDefinition? Feed { get; init; }
}

/// <summary>Registering a dataset from a Frictionless data package (issue 3) through <see cref="DatasetRegistry"/>.</summary>
public sealed class FrictionlessImport(DatasetRegistry registry)
{
    /// <summary>Converts the package's Table Schema to a record schema and key, then registers as usual.</summary>
    public Task<Dataset> ImportAsync(Caller caller, FrictionlessImportRequest request, CancellationToken cancellationToken = default)
    {
        caller.Require(Role.Steward);
        if (request.DataPackage is null)
            throw new InvalidException("invalid-request", "Give the datapackage.json document.", [new("/dataPackage", "required", "Include the data package.")]);
        var converted = TableSchemaConverter.Convert(request.DataPackage, request.Resource, request.KeyFields);
        var package = request.DataPackage;
        var keywords = (package["keywords"] as JsonArray)?.Select(k => k?.ToString() ?? "").Where(k => k.Length is > 0 and <= 50).ToList() ?? [];
        return registry.RegisterAsync(caller, new RegisterDatasetRequest
        {
            Id = request.Id ?? $"{caller.AgencyId}.{package["name"]}",
            Title = request.Title ?? package["title"]?.ToString() ?? package["name"]?.ToString(),
            Description = package["description"]?.ToString(),
            KeyFields = converted.KeyFields,
            Classification = request.Classification ?? "public",
            Tags = request.Tags ?? keywords.Select(k => k.ToLowerInvariant()).ToList(),
            Schema = converted.Schema,
            Feed = request.Feed,
        }, cancellationToken);
    }
}
