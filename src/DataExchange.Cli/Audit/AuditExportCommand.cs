using System.ComponentModel;
using DataExchange.Cli.Infrastructure;
using Spectre.Console;
using Spectre.Console.Cli;

namespace DataExchange.Cli.Audit;

public sealed class AuditExportSettings : AuditFilterSettings
{
    [CommandOption("--format <FORMAT>")]
    [Description("ndjson (default) or csv")]
    [DefaultValue("ndjson")]
    public string Format { get; init; } = "ndjson";

    public override ValidationResult Validate() => Format is "ndjson" or "csv"
        ? base.Validate()
        : ValidationResult.Error("--format must be ndjson or csv");
}

/// <summary>
/// GET /audit/entries/export: streams the server's export to stdout untouched, so the entry
/// hashes can be re-verified from the file and exports of any size fit through a pipe.
/// </summary>
public sealed class AuditExportCommand : ApiCommand<AuditExportSettings>
{
    protected override async Task<int> RunAsync(ApiClient api, AuditExportSettings settings, CancellationToken ct)
    {
        var path = settings.ToQuery("audit/entries/export").Add("format", settings.Format).ToString();
        using var response = await api.GetStreamAsync(path, ct).ConfigureAwait(false);
        await using var body = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        await using var stdout = Console.OpenStandardOutput();
        await body.CopyToAsync(stdout, ct).ConfigureAwait(false);
        return ExitCodes.Success;
    }
}
