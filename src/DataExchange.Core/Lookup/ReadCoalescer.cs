using System.Runtime.ExceptionServices;

namespace DataExchange.Core.Lookup;

/// <summary>
/// Reads concurrent single-key lookups of one shape (dataset, version asked, policy) together, in one
/// <c>key = any($2)</c> statement (issue 16): a round trip to PostgreSQL and back costs more than the probe it
/// carries, and on the shared machine each one is two wake-ups. No lookup waits for company: one that finds no
/// read of its shape under way reads at once, alone; those that arrive while a read is under way queue, and the
/// first of them reads for all of them as soon as that read is back (it would have been woken then anyway). So a
/// lone lookup costs what it did, and under load one read serves whatever arrived during the previous one.
/// </summary>
/// <remarks>
/// Each lookup still gets only its own key's row, and still decides, audits and answers for itself; the read is
/// the same statement a lookup makes alone, with more keys. A read is not cancelled by one request going away
/// (it serves others). One read carries at most <c>maxKeys</c> lookups; the rest wait for the next one.
/// </remarks>
public sealed class ReadCoalescer<TShape>(IEqualityComparer<TShape> comparer, int maxKeys) where TShape : notnull
{
    readonly Lock _lock = new();
    readonly Dictionary<TShape, List<Waiter>> _queued = new(comparer);

    /// <summary>Reads done and lookups they answered, since start (for tests and the benchmark).</summary>
    public (long Reads, long Lookups) Counts
    {
        get
        {
            lock (_lock) return (_reads, _lookups);
        }
    }

    long _reads, _lookups;

    sealed class Waiter(string key)
    {
        public string Key { get; } = key;

        public (int? Version, string? Row) Result { get; set; }

        /// <summary>Completes with null when another lookup's read answered this one, or with the lookups this one is to read for.</summary>
        public TaskCompletionSource<List<Waiter>?> Turn { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>
    /// The version read (null when there is none) and the stored row of <paramref name="key"/> (null when not
    /// found), read by <paramref name="read"/> — given the shape and the distinct keys of all the lookups it serves
    /// — alone or together with concurrent lookups of the same <paramref name="shape"/>.
    /// </summary>
    public async Task<(int? Version, string? Row)> ReadAsync(TShape shape, string key,
        Func<TShape, IReadOnlyList<string>, Task<(int? Version, Dictionary<string, string> Rows)>> read)
    {
        var me = new Waiter(key);
        List<Waiter>? batch;
        lock (_lock)
        {
            if (_queued.TryGetValue(shape, out var queued))
            {
                queued.Add(me);
                batch = null;
            }
            else
            {
                _queued[shape] = [];
                batch = [me];
            }
        }
        // Queued: answered by another's read, or handed the next read to make.
        batch ??= await me.Turn.Task;
        if (batch is null) return me.Result;

        ExceptionDispatchInfo? failure = null;
        try
        {
            var (version, rows) = await read(shape, [.. batch.Select(w => w.Key).Distinct(StringComparer.Ordinal)]);
            foreach (var w in batch) w.Result = (version, version is null ? null : rows.GetValueOrDefault(w.Key));
        }
        catch (Exception e)
        {
            failure = ExceptionDispatchInfo.Capture(e);
        }

        // Hand the next read to the first of those that queued meanwhile, then release this read's others.
        List<Waiter>? next;
        lock (_lock)
        {
            _reads++;
            _lookups += batch.Count;
            var queued = _queued[shape];
            if (queued.Count == 0)
            {
                _queued.Remove(shape);
                next = null;
            }
            else if (queued.Count <= maxKeys)
            {
                _queued[shape] = [];
                next = queued;
            }
            else
            {
                next = queued[..maxKeys];
                queued.RemoveRange(0, maxKeys);
            }
        }
        next?[0].Turn.TrySetResult(next);
        foreach (var w in batch)
        {
            if (ReferenceEquals(w, me)) continue;
            if (failure is null) w.Turn.TrySetResult(null);
            else w.Turn.TrySetException(failure.SourceException);
        }
        failure?.Throw();
        return me.Result;
    }
}
