using System.ComponentModel;
using System.Text.Json.Nodes;
using DataExchange.Cli.Infrastructure;
using Spectre.Console.Cli;

namespace DataExchange.Cli.Datasets;

public sealed class ImportFrictionlessSettings : JsonSettings
{
    [CommandArgument(0, "<DATAPACKAGE>")]
    [Description("Path of a Frictionless datapackage.json (Table Schema fields, constraints, primaryKey)")]
    public string DataPackage { get; init; } = "";

    [CommandOption("--id <ID>")]
    [Description("Dataset id <agency>.<slug>; default: your agency and the package name")]
    public string? Id { get; init; }

    [CommandOption("--key <FIELD>")]
    [Description("Key field, repeatable; needed when the package declares no primaryKey")]
    public string[] Keys { get; init; } = [];

    [CommandOption("--source <SOURCE>")]
    [Description("Feed source: file:<agency>/<path> in your agency's drop folder, an allowed http(s) URL, or upload")]
    public string Source { get; init; } = "upload";

    [CommandOption("--cron <CRON>")]
    [Description("Schedule (5-field cron, UTC) for pulled feeds")]
    public string? Cron { get; init; }

    [CommandOption("--classification <CLASS>")]
    [Description("public | internal | confidential | restricted (default public)")]
    public string Classification { get; init; } = "public";
}

/// <summary>POST /datasets/frictionless: registers a dataset from a data package's Table Schema.</summary>
public sealed class ImportFrictionlessCommand : ApiCommand<ImportFrictionlessSettings>
{
    protected override async Task<int> RunAsync(ApiClient api, ImportFrictionlessSettings settings, CancellationToken ct)
    {
        if (LocalJson.Read(settings.DataPackage) is not JsonObject package)
            throw new UsageException($"{settings.DataPackage} must contain a JSON object.");
        var body = new JsonObject
        {
            ["dataPackage"] = package,
            ["classification"] = settings.Classification,
            ["feed"] = new JsonObject { ["source"] = settings.Source, ["format"] = "csv", ["cron"] = settings.Cron },
        };
        if (settings.Id is not null) body["id"] = settings.Id;
        if (settings.Keys.Length > 0) body["keyFields"] = new JsonArray([.. settings.Keys.Select(k => JsonValue.Create(k))]);
        var created = await api.PostJsonAsync("datasets/frictionless", body, ct).ConfigureAwait(false);
        if (settings.Json)
        {
            Output.Raw(created.Raw);
            return ExitCodes.Success;
        }
        Output.Success($"Registered dataset {Output.Format(created.Json?["id"])} from {settings.DataPackage}.");
        DatasetView.Show(created.Json);
        return ExitCodes.Success;
    }
}
