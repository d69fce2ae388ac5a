using System.ComponentModel;
using System.Text.Json.Nodes;
using DataExchange.Cli.Infrastructure;
using Spectre.Console.Cli;

namespace DataExchange.Cli.Datasets;

public sealed class RegisterDatasetSettings : JsonSettings
{
    [CommandArgument(0, "<MANIFEST>")]
    [Description("Dataset manifest JSON: { id, owner, title, description, keyFields, classification, tags, schemaFile|schema, feed } (feed.credential.secretEnv names the environment variable holding the feed's secret)")]
    public string Manifest { get; init; } = "";
}

/// <summary>
/// POST /datasets. Manifests may point at their schema with "schemaFile" so the schema can live in
/// its own file (and be reused by dx schema check/register); the server only accepts an inline schema.
/// </summary>
public sealed class RegisterDatasetCommand : ApiCommand<RegisterDatasetSettings>
{
    protected override async Task<int> RunAsync(ApiClient api, RegisterDatasetSettings settings, CancellationToken ct)
    {
        if (LocalJson.Read(settings.Manifest) is not JsonObject manifest)
        {
            throw new UsageException($"{settings.Manifest} must contain a JSON object.");
        }

        if (manifest["schemaFile"] is JsonNode schemaFileNode)
        {
            if (schemaFileNode is not JsonValue value || !value.TryGetValue<string>(out var schemaFile))
            {
                throw new UsageException("\"schemaFile\" must be a string path relative to the manifest.");
            }

            var folder = Path.GetDirectoryName(Path.GetFullPath(settings.Manifest))!;
            manifest.Remove("schemaFile");
            manifest["schema"] = LocalJson.Read(Path.Combine(folder, schemaFile));
        }

        Feeds.CredentialSecret.Resolve(manifest["feed"], settings.Manifest);
        ApiResponse created;
        try
        {
            created = await api.PostJsonAsync("datasets", manifest, ct).ConfigureAwait(false);
        }
        catch (ApiException e) when (e.Code == "foreign-agency" && manifest["id"]?.ToString() is { } id && id.Split('.')[0] is var agency)
        {
            e.Hint = $"{id} belongs to {agency}: register it with a steward key of {agency} (dx me shows your key's agency)";
            throw;
        }

        if (settings.Json)
        {
            Output.Raw(created.Raw);
            return ExitCodes.Success;
        }

        Output.Success($"Registered dataset {Output.Format(created.Json?["id"])}.");
        DatasetView.Show(created.Json);
        return ExitCodes.Success;
    }
}
