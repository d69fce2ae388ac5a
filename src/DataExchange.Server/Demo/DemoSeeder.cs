using System.Text.Json;
using System.Text.Json.Nodes;
using DataExchange.Core.Agencies;
using DataExchange.Core.Common;
using DataExchange.Core.Datasets;
using DataExchange.Core.Ingestion;
using DataExchange.Core.Subscriptions;

namespace DataExchange.Server.Demo;

/// <summary>
/// Seeds the demo from <c>samples/</c>: an operator admin, the sample agencies with a steward,
/// consumer and auditor key each, the sample datasets with their feeds, and their first runs, and one
/// lookup-only subscription (<see cref="LookupDemo"/>) so that the tour can show a once-only lookup. Writes the keys to a credentials file (0600) and prints where to look.
/// </summary>
public sealed partial class DemoSeeder(ApiKeyService keys, AgencyService agencies, DatasetRegistry registry, IngestionService ingestion, SubscriptionService subscriptions,
    ILogger<DemoSeeder> logger)
{
    /// <summary>
    /// The demo's lookup grant (issue 16): the transport department checks the business licence of a vehicle's
    /// owner, by its credit code, for two purposes and nothing else — lookups only, no bulk pull. Another agency
    /// than the tour's consumer (gz-hrss), which asks for its own subscriptions.
    /// </summary>
    public static class LookupDemo
    {
        public const string Consumer = "gd-transport";
        public const string DatasetId = "gd-amr.business-licences";
        public const string Purpose = "Vehicle registration";
        public const string OtherPurpose = "Fleet operator licence";
        public static IReadOnlyList<string> Fields { get; } = ["uscc", "name", "status", "district", "legal_representative"];
    }

    /// <summary>What the demo created, as written to the credentials file.</summary>
    public sealed record Credentials(string ApiUrl, string Dashboard, string AdminKey, Dictionary<string, Dictionary<string, string>> Agencies, List<string> Datasets);

    /// <summary>Seeds and returns the credentials.</summary>
    public async Task<Credentials> SeedAsync(string samplesPath, string apiUrl, string credentialsPath, CancellationToken cancellationToken)
    {
        var admin = await keys.BootstrapAdminAsync("demo admin", cancellationToken)
            ?? await keys.IssueAsync(Caller.System, Caller.OperatorAgency, new IssueKeyRequest("demo admin", [Role.Admin, Role.Auditor]), cancellationToken);
        var adminCaller = Caller.System;
        var agencyKeys = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        var existing = await agencies.ListAsync(cancellationToken).Select(a => a.Id).ToHashSetAsync(cancellationToken: cancellationToken);

        var agencyList = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(samplesPath, "agencies.json"), cancellationToken))!["agencies"]!.AsArray();
        foreach (var a in agencyList)
        {
            var code = a!["code"]!.GetValue<string>();
            if (!existing.Contains(code)) await agencies.CreateAsync(adminCaller, new CreateAgencyRequest(code, a["name"]!.GetValue<string>()), cancellationToken);
            var issued = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var role in new[] { Role.Steward, Role.Consumer, Role.Auditor })
                issued[role] = (await keys.IssueAsync(adminCaller, code, new IssueKeyRequest($"demo {role}", [role]), cancellationToken)).Key;
            agencyKeys[code] = issued;
        }

        var datasets = new List<string>();
        foreach (var manifestPath in Directory.EnumerateFiles(Path.Combine(samplesPath, "datasets"), "*.json").Order(StringComparer.Ordinal))
        {
            var request = ReadManifest(manifestPath);
            var owner = request.Owner ?? request.Id!.Split('.')[0];
            var steward = (await keys.AuthenticateAsync(agencyKeys[owner][Role.Steward], cancellationToken))!;
            if (await registry.FindAsync(request.Id!, cancellationToken) is null)
                await registry.RegisterAsync(steward, request, cancellationToken);
            await ingestion.RunNowAsync(steward, request.Id!, cancellationToken);
            datasets.Add(request.Id!);
        }
        await SeedLookupGrantAsync(agencyKeys, cancellationToken);

        var credentials = new Credentials(apiUrl, apiUrl.TrimEnd('/') + "/hangfire", admin.Key, agencyKeys, datasets);
        await File.WriteAllTextAsync(credentialsPath, JsonSerializer.Serialize(credentials, new JsonSerializerOptions(Json.Options) { WriteIndented = true }), cancellationToken);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(credentialsPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        LogSeeded(logger, datasets.Count, agencyKeys.Count);
        return credentials;
    }

    /// <summary>Requests and approves <see cref="LookupDemo"/>'s subscription, unless the agency already has one open (a demo run again on its database).</summary>
    async Task SeedLookupGrantAsync(Dictionary<string, Dictionary<string, string>> agencyKeys, CancellationToken cancellationToken)
    {
        if (!agencyKeys.TryGetValue(LookupDemo.Consumer, out var consumerKeys) || await registry.FindAsync(LookupDemo.DatasetId, cancellationToken) is not { } dataset) return;
        var consumer = (await keys.AuthenticateAsync(consumerKeys[Role.Consumer], cancellationToken))!;
        var steward = (await keys.AuthenticateAsync(agencyKeys[dataset.Owner][Role.Steward], cancellationToken))!;
        try
        {
            var requested = await subscriptions.RequestAsync(consumer, new SubscriptionRequest(LookupDemo.DatasetId, LookupDemo.Purpose, LookupDemo.Fields), cancellationToken);
            await subscriptions.ApproveAsync(steward, requested.Id, new ApprovalRequest(new JsonObject
            {
                ["fields"] = new JsonArray([.. LookupDemo.Fields.Select(f => JsonValue.Create(f))]),
                ["masks"] = new JsonObject { ["legal_representative"] = new JsonObject { ["type"] = "partial", ["keepLast"] = 1 } },
                ["access"] = new JsonArray(AccessKind.Lookup),
                ["purposes"] = new JsonArray(LookupDemo.Purpose, LookupDemo.OtherPurpose),
            }, null), cancellationToken);
        }
        catch (ConflictException)
        {
            // Seeded by an earlier start on this database.
        }
    }

    /// <summary>Reads a dataset manifest, inlining <c>schemaFile</c> (relative to the manifest) as <c>schema</c>.</summary>
    public static RegisterDatasetRequest ReadManifest(string manifestPath)
    {
        var manifest = JsonNode.Parse(File.ReadAllText(manifestPath))!.AsObject();
        if (manifest["schemaFile"] is { } schemaFile)
        {
            var schemaPath = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(manifestPath)!, schemaFile.GetValue<string>()));
            manifest.Remove("schemaFile");
            manifest["schema"] = JsonNode.Parse(File.ReadAllText(schemaPath));
        }
        return manifest.Deserialize<RegisterDatasetRequest>(Json.Options)!;
    }

    /// <summary>The samples folder: <c>Demo:SamplesPath</c>, else the nearest <c>samples/</c> above the working or app directory.</summary>
    public static string? FindSamples(IConfiguration configuration)
    {
        if (configuration["Demo:SamplesPath"] is { } configured) return Path.GetFullPath(configured);
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "samples", "agencies.json"))) return Path.Combine(dir.FullName, "samples");
        return null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo seeded: {Datasets} datasets, {Agencies} agencies; first runs queued.")]
    static partial void LogSeeded(ILogger logger, int datasets, int agencies);
}
