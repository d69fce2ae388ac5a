using DataExchange.Core.Audit;
using DataExchange.Core.Common;
using Microsoft.AspNetCore.Mvc;

namespace DataExchange.Server.Console.Audit;

/// <summary>
/// The audit log, filterable, with the verification state of the hash chain (auditors), and who looked up one subject:
/// the key is posted, hashed as the log holds it and forgotten, and the report is paged by its hash (issue 16).
/// </summary>
public sealed class IndexModel(AuditService audit, AuditCheckpoints checkpoints, SubjectReports reports) : ConsolePage
{
    [BindProperty(SupportsGet = true)] public string? Action { get; set; }
    [BindProperty(SupportsGet = true)] public string? Dataset { get; set; }
    [BindProperty(SupportsGet = true)] public string? Agency { get; set; }
    [BindProperty(SupportsGet = true)] public string? Client { get; set; }
    [BindProperty(SupportsGet = true)] public string? Outcome { get; set; }
    [BindProperty(SupportsGet = true)] public DateTimeOffset? From { get; set; }
    [BindProperty(SupportsGet = true)] public DateTimeOffset? To { get; set; }
    [BindProperty(SupportsGet = true)] public string? After { get; set; }

    /// <summary>The dataset of the subject searched for.</summary>
    [BindProperty(SupportsGet = true)] public string? SubjectDataset { get; set; }

    /// <summary>The subject's hash (never its key: a URL ends up in histories and proxy logs).</summary>
    [BindProperty(SupportsGet = true)] public string? Subject { get; set; }

    /// <summary>The subject report's cursor.</summary>
    [BindProperty(SupportsGet = true)] public string? SubjectAfter { get; set; }

    /// <summary>The subject's key as typed (posted only; hashed, then forgotten).</summary>
    [BindProperty] public string? SubjectKey { get; set; }

    /// <summary>Every lookup of <see cref="Subject"/>, when one was searched for.</summary>
    public SubjectReport? Report { get; private set; }

    /// <summary>Every action name, for the filter.</summary>
    public static IReadOnlyList<string> Actions { get; } = [.. Enum.GetValues<AuditAction>().Select(AuditNames.Of).Order(StringComparer.Ordinal)];

    /// <summary>Every outcome name, for the filter.</summary>
    public static IReadOnlyList<string> Outcomes { get; } = [.. Enum.GetValues<AuditOutcome>().Select(AuditNames.Of)];

    public Page<AuditEntry> Entries { get; private set; } = new([], null);

    /// <summary>The chain's state; null when the caller may not verify the whole chain (agency auditors).</summary>
    public ChainVerification? Chain { get; private set; }

    /// <summary>The newest signed checkpoints (every auditor: they hold hashes only).</summary>
    public IReadOnlyList<AuditCheckpoint> Checkpoints { get; private set; } = [];

    /// <summary>Searches, and verifies the chain for the exchange's own auditors.</summary>
    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Entries = await audit.SearchAsync(Caller, new AuditQuery(Blank(Action), Blank(Dataset), Blank(Agency), Blank(Client), Blank(Outcome),
            From?.ToUniversalTime(), To?.ToUniversalTime(), 100, Blank(After)), cancellationToken);
        if (Caller.IsOperator) Chain = await audit.VerifyAsync(Caller, cancellationToken);
        Checkpoints = (await checkpoints.ListAsync(Caller, 5, null, cancellationToken)).Items;
        if (Blank(SubjectDataset) is { } dataset && Blank(Subject) is { } subject)
            Report = await reports.ReportOfHashAsync(Caller, dataset, subject, 100, Blank(SubjectAfter), cancellationToken);
    }

    /// <summary>Hashes the posted key in its dataset and shows that subject's report (auditors; the key is in no URL, log or entry).</summary>
    public async Task<IActionResult> OnPostSubjectAsync(CancellationToken cancellationToken)
    {
        Caller.Require(Role.Auditor);
        if (Blank(SubjectDataset) is not { } dataset || string.IsNullOrEmpty(SubjectKey))
            throw new InvalidException("invalid-request", "Name the dataset and the subject's key.", [new("/subjectKey", "required", "Give the dataset and the key of the record looked up.")]);
        var subject = await reports.SubjectOfAsync(Caller, dataset, SubjectKey, cancellationToken);
        return Redirect(SubjectUrl(dataset, subject, null));
    }

    /// <summary>The page showing the report of <paramref name="subject"/> in <paramref name="dataset"/> from <paramref name="after"/>.</summary>
    public static string SubjectUrl(string dataset, string subject, string? after) => Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString("/console/audit",
        new Dictionary<string, string?> { ["subjectDataset"] = dataset, ["subject"] = subject, ["subjectAfter"] = after }.Where(p => p.Value is not null));

    /// <summary>The query string of the current filters with another cursor.</summary>
    public string NextUrl(string next) => Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString("/console/audit",
        new Dictionary<string, string?>
        {
            ["action"] = Action, ["dataset"] = Dataset, ["agency"] = Agency, ["client"] = Client, ["outcome"] = Outcome,
            ["from"] = From?.ToString("O"), ["to"] = To?.ToString("O"), ["after"] = next
        }.Where(p => !string.IsNullOrEmpty(p.Value)));

    static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
