using System.ComponentModel;
using System.Text.Json.Nodes;
using DataExchange.Cli.Infrastructure;
using Spectre.Console.Cli;

namespace DataExchange.Cli.Lookup;

public sealed class LookupSettings : DatasetSettings
{
    [CommandArgument(1, "<KEY>")]
    [Description("The record's key: the value of each key field, in key order (one argument per field of a composite key)")]
    public string[] Key { get; init; } = [];

    [CommandOption("--purpose <PURPOSE>")]
    [Description("Why you look the record up: a purpose your subscription was approved for (required)")]
    public string? Purpose { get; init; }

    [CommandOption("--case-ref <REF>")]
    [Description("The case or procedure the lookup serves, kept in the audit entry and the evidence")]
    public string? CaseRef { get; init; }

    [CommandOption("--version <N>")]
    [Description("Read this dataset version (default: the latest)")]
    public int? Version { get; init; }

    [CommandOption("--evidence <FILE>")]
    [Description("Also write the signed evidence (a compact JWS, also of absence) to FILE; check it with dx evidence verify")]
    public string? Evidence { get; init; }

    public override Spectre.Console.ValidationResult Validate() => string.IsNullOrWhiteSpace(Purpose)
        ? Spectre.Console.ValidationResult.Error("--purpose is required: every lookup names the purpose it serves")
        : Spectre.Console.ValidationResult.Success();
}

/// <summary>
/// POST /datasets/{id}/lookups with one key: prints the record as your policy shows it, or says it was not
/// found (exit 3); with --evidence, writes the exchange's signed statement of either to a file.
/// </summary>
public sealed class LookupCommand : ApiCommand<LookupSettings>
{
    protected override async Task<int> RunAsync(ApiClient api, LookupSettings settings, CancellationToken ct)
    {
        var body = new JsonObject
        {
            ["keys"] = new JsonArray(settings.Key.Length == 1 ? JsonValue.Create(settings.Key[0]) : new JsonArray([.. settings.Key.Select(k => JsonValue.Create(k))])),
            ["purpose"] = settings.Purpose,
            ["evidence"] = settings.Evidence is not null,
        };
        if (settings.CaseRef is not null) body["caseRef"] = settings.CaseRef;
        if (settings.Version is { } v) body["version"] = v;
        var answer = await api.PostJsonAsync($"datasets/{ApiClient.Seg(settings.Dataset)}/lookups", body, ct).ConfigureAwait(false);
        var item = answer.Json?["items"]?[0];
        if (settings.Evidence is not null && item?["evidence"]?.GetValue<string>() is { } evidence)
        {
            await File.WriteAllTextAsync(settings.Evidence, evidence + "\n", ct).ConfigureAwait(false);
            Output.Info($"Evidence written to {settings.Evidence}.");
        }
        var found = item?["found"]?.GetValue<bool>() == true;
        if (settings.Json) Output.Raw(answer.Raw);
        else if (found) Output.Properties(item!["record"]);
        else Output.Warn($"No record with this key that you may see at version {answer.Json?["version"]} of {settings.Dataset}.");
        return found ? ExitCodes.Success : ExitCodes.NotFound;
    }
}
