namespace DataExchange.Core.Ingestion;

/// <summary>
/// What staging found: the counts, how many rows were staged with <c>dup</c> set (0: no key repeats, no
/// de-duplication needed) and how many skipped the evaluator on a probable hash match (0: nothing to verify).
/// </summary>
internal sealed record StageOutcome(RunCounts Counts, long MaybeDuplicates, long Skipped);
