using System.ComponentModel;
using DataExchange.Cli.Infrastructure;
using Spectre.Console;
using Spectre.Console.Cli;

namespace DataExchange.Cli.Audit;

/// <summary>Audit filters plus the usual list options (export has the filters only).</summary>
public sealed class AuditSearchSettings : AuditFilterSettings, IListOptions
{
    [CommandOption("--json")]
    [Description("Print the raw JSON returned by the server instead of a table")]
    public bool Json { get; init; }

    [CommandOption("--limit <N>")]
    [Description("Maximum entries per page (server default when omitted)")]
    public int? Limit { get; init; }

    [CommandOption("--all")]
    [Description("Follow the 'next' cursor and fetch every page")]
    public bool All { get; init; }

    public override ValidationResult Validate() =>
        Limit is <= 0 ? ValidationResult.Error("--limit must be a positive number") : base.Validate();
}

/// <summary>GET /audit/entries: the hash-chained log of who did what to which dataset.</summary>
public sealed class AuditSearchCommand : ApiCommand<AuditSearchSettings>
{
    protected override Task<int> RunAsync(ApiClient api, AuditSearchSettings settings, CancellationToken ct) =>
        Paging.ListAsync(api, settings, () => settings.ToQuery("audit/entries"),
            items => Output.Table(items,
                ("Seq", "seq"), ("At", "at"), ("Agency", "actorAgency"), ("Client", "actorClient"), ("Action", "action"),
                ("Target", "target"), ("Outcome", "outcome"), ("Details", "details")),
            ct);
}
