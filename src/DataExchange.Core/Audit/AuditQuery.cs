namespace DataExchange.Core.Audit;

/// <summary>Filters of an audit search; all optional.</summary>
public sealed record AuditQuery(
    string? Action = null,
    string? DatasetId = null,
    string? Agency = null,
    string? Client = null,
    string? Outcome = null,
    DateTimeOffset? From = null,
    DateTimeOffset? To = null,
    int? Limit = null,
    string? After = null);

/// <summary>
/// Result of verifying the chain: ok, or the first position that does not verify; with how many
/// entries were read and how many signed checkpoints matched before any problem.
/// </summary>
public sealed record ChainVerification(bool Ok, long Entries, long? FirstBadSeq, string? Problem, int CheckpointsVerified = 0);
