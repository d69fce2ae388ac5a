using System.ComponentModel;
using System.Text.Json.Nodes;
using DataExchange.Cli.Infrastructure;
using Spectre.Console.Cli;

namespace DataExchange.Cli.Datasets;

public sealed class SetMetadataSettings : DatasetSettings
{
    [CommandArgument(1, "<FILE>")]
    [Description("JSON: { tags: [[...]], metadata: { licence, contactPoint, themes, spatial, temporal, open } }; a member left out keeps its current value")]
    public string File { get; init; } = "";
}

/// <summary>
/// PUT /datasets/{id}/metadata from a file. The API replaces tags and metadata as a whole; a file that gives only one
/// of them gets the other from the dataset as it is now, so a steward can change the licence without restating tags.
/// </summary>
public sealed class SetMetadataCommand : ApiCommand<SetMetadataSettings>
{
    protected override async Task<int> RunAsync(ApiClient api, SetMetadataSettings settings, CancellationToken ct)
    {
        if (LocalJson.Read(settings.File) is not JsonObject body)
            throw new UsageException($"{settings.File} must hold a JSON object with tags and/or metadata.");
        var path = $"datasets/{ApiClient.Seg(settings.Dataset)}";
        if (!body.ContainsKey("tags") || !body.ContainsKey("metadata"))
        {
            var current = (await api.GetAsync(path, ct).ConfigureAwait(false)).Json;
            if (!body.ContainsKey("tags")) body["tags"] = current?["tags"]?.DeepClone() ?? new JsonArray();
            if (!body.ContainsKey("metadata")) body["metadata"] = current?["metadata"]?.DeepClone() ?? new JsonObject();
        }
        var updated = await api.PutJsonAsync(path + "/metadata", body, ct).ConfigureAwait(false);
        if (settings.Json)
        {
            Output.Raw(updated.Raw);
            return ExitCodes.Success;
        }
        Output.Success($"Updated the metadata of {settings.Dataset}.");
        Output.Properties(new JsonObject { ["tags"] = updated.Json?["tags"]?.DeepClone(), ["metadata"] = updated.Json?["metadata"]?.DeepClone() });
        return ExitCodes.Success;
    }
}
