using System.Diagnostics;

namespace DataExchange.Core.Datasets.Schemas;

/// <summary>
/// The time the backtracking pattern matches of one record may take together, on the thread that checks it
/// (validation is synchronous, one record per thread). Once spent, <see cref="SchemaPattern.TryMatch"/> answers
/// "cannot tell" without matching, so a record spends at most its budget plus one <see cref="SchemaPattern.MatchTimeout"/>
/// on them. Linear-engine matches are not charged: their cost is linear in the record, which MaxRecordBytes caps,
/// and charging wall time would let a busy machine quarantine valid records. Outside a budget only each match's
/// own timeout applies.
/// </summary>
internal static class PatternBudget
{
    // Stopwatch ticks left, when t_active.
    [ThreadStatic] static long t_left;
    [ThreadStatic] static bool t_active;

    /// <summary>Whether the budget of the record being checked on this thread is spent.</summary>
    public static bool IsSpent => t_active && t_left <= 0;

    /// <summary>Charges the time since <paramref name="started"/> (a <see cref="Stopwatch"/> timestamp) to the budget.</summary>
    public static void Charge(long started) => t_left -= Stopwatch.GetTimestamp() - started;

    /// <summary>Starts a budget of <paramref name="budget"/> on this thread, until the scope is disposed.</summary>
    public static Scope Start(TimeSpan budget)
    {
        var scope = new Scope(t_active, t_left);
        (t_active, t_left) = (true, (long)(budget.TotalSeconds * Stopwatch.Frequency));
        return scope;
    }

    /// <summary>Restores the budget that was in force before <see cref="Start"/>.</summary>
    public readonly struct Scope(bool active, long left) : IDisposable
    {
        public void Dispose() => (t_active, t_left) = (active, left);
    }
}
