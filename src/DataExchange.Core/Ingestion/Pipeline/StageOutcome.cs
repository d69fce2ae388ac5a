namespace DataExchange.Core.Ingestion;

/// <summary>
/// What staging found: the counts, how many rows were staged with <c>dup</c> set (0: no key repeats, no
/// de-duplication needed), how many skipped the evaluator on a probable hash match (0: nothing to verify) and
/// how many were staged by their source row's hash alone (0: nothing for <see cref="KnownRows"/> to resolve), and how
/// many a first load wrote to dx.records without a stage row (<see cref="FirstLoad"/>).
/// </summary>
internal sealed record StageOutcome(RunCounts Counts, long MaybeDuplicates, long Skipped, long Known, long Direct = 0)
{
    /// <summary>What <see cref="ProvenDiff"/> needs from the staging; null when nothing can be proven (a first load, nothing known).</summary>
    public ProofInput? Proof { get; init; }
}
