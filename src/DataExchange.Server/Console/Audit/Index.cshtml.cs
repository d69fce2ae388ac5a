using DataExchange.Core.Audit;
using DataExchange.Core.Common;
using Microsoft.AspNetCore.Mvc;

namespace DataExchange.Server.Console.Audit;

/// <summary>The audit log, filterable, with the verification state of the hash chain (auditors).</summary>
public sealed class IndexModel(AuditService audit, AuditCheckpoints checkpoints) : ConsolePage
{
    [BindProperty(SupportsGet = true)] public string? Action { get; set; }
    [BindProperty(SupportsGet = true)] public string? Dataset { get; set; }
    [BindProperty(SupportsGet = true)] public string? Agency { get; set; }
    [BindProperty(SupportsGet = true)] public string? Client { get; set; }
    [BindProperty(SupportsGet = true)] public string? Outcome { get; set; }
    [BindProperty(SupportsGet = true)] public DateTimeOffset? From { get; set; }
    [BindProperty(SupportsGet = true)] public DateTimeOffset? To { get; set; }
    [BindProperty(SupportsGet = true)] public string? After { get; set; }

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
    }

    /// <summary>The query string of the current filters with another cursor.</summary>
    public string NextUrl(string next) => Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString("/console/audit",
        new Dictionary<string, string?> { ["action"] = Action, ["dataset"] = Dataset, ["agency"] = Agency, ["client"] = Client, ["outcome"] = Outcome,
            ["from"] = From?.ToString("O"), ["to"] = To?.ToString("O"), ["after"] = next }.Where(p => !string.IsNullOrEmpty(p.Value)));

    static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
