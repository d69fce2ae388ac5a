using System.ComponentModel;
using DataExchange.Cli.Infrastructure;
using Spectre.Console.Cli;

namespace DataExchange.Cli.Audit;

public sealed class AuditSubjectSettings : DatasetListSettings
{
    [CommandArgument(1, "<KEY>")]
    [Description("The subject's key: the value of each key field, in key order (one argument per field of a composite key)")]
    public string[] Key { get; init; } = [];
}

/// <summary>
/// GET /datasets/{id}/subjects/access-report: every lookup of one subject — who, when, for what purpose
/// and case, found or not, refused and why — found by the key's keyed hash (the log never holds the key).
/// </summary>
public sealed class AuditSubjectCommand : ApiCommand<AuditSubjectSettings>
{
    protected override Task<int> RunAsync(ApiClient api, AuditSubjectSettings settings, CancellationToken ct) =>
        Paging.ListAsync(api, settings, () => settings.Key.Aggregate(new Query($"datasets/{ApiClient.Seg(settings.Dataset)}/subjects/access-report"), (q, part) => q.Add("key", part)),
            items => Output.Table(items,
                ("Seq", "seq"), ("At", "at"), ("Agency", "agency"), ("Client", "client"), ("Purpose", "purpose"), ("Case", "caseRef"),
                ("Found", "found"), ("Outcome", "outcome"), ("Reason", "reason")),
            ct);
}
