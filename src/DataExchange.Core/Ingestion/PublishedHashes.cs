namespace DataExchange.Core.Ingestion;

/// <summary>
/// The content hashes a dataset has published under one schema version, as a blocked Bloom filter (the row filter's,
/// <see cref="RowHashFilter"/>: all of a hash's bits in one 64-byte block, block and bits taken from the SHA-256 itself, so an add
/// or a question is one cache miss and no division): 4 bytes per record (about 5e-6 false positives) where a set of the hashes
/// would hold 32 and more, and never more than 8 MiB, so memory stays bounded however large datasets grow. Past 2M rows the bits
/// per entry fall and the probes with them: about 4% false positives at 10M rows. That costs little, since only a record that is
/// <em>not</em> published can be a false positive, and in a re-ingest those are the changed few. A record whose hash may be in
/// it skips the evaluator (issue 4, item 5: its content was already valid under this version). A "maybe" is not trusted: the
/// run checks each skipped record against <c>dx.records</c> and validates the ones that do not match exactly
/// (<see cref="SkippedVerifier"/>, a read of the payload again), so a false positive costs time, never correctness. Read-only
/// once built, so validators share it across threads. Until session 13 it was an unblocked filter of 16 bits per entry with
/// 11 probes, each a 64-bit division and a cache line of its own: 4.5% of the client's samples in a 1%-changed re-ingest's
/// profile, all in the serial load before staging, and 0.05% false positives, about 5 a run among 10,000 changed rows, each
/// run then reading its payload again for them.
/// <para>
/// The bits live outside the GC heap and are freed by <see cref="Dispose"/> when the run's staging ends
/// (issue 14, flat memory): as large arrays they were freed only by a full collection and left the large
/// object heap fragmented (38 MB free in it at the peak of a 10M-row re-ingest), so the working set at 10M
/// rows grew by far more than the filters themselves.
/// </para>
/// </summary>
public sealed class PublishedHashes : IDisposable
{
    const int BitsPerEntry = 32;
    const long MaxBits = 8L * 1024 * 1024 * 8;

    readonly RowHashFilter _filter;

    /// <summary>An empty filter: nothing is known, every record is validated.</summary>
    public static PublishedHashes None { get; } = new(0);

    /// <summary>A filter sized for <paramref name="expected"/> hashes, at most 8 MiB.</summary>
    public PublishedHashes(long expected) : this(expected, MaxBits)
    {
    }

    /// <summary>A filter sized for <paramref name="expected"/> hashes, at most <paramref name="maxBits"/> bits.</summary>
    internal PublishedHashes(long expected, long maxBits) =>
        _filter = new RowHashFilter(expected, Math.Min(Math.Max(expected, 1) * BitsPerEntry, maxBits));

    /// <summary>How many bits each hash sets and each question tests (the fewest false positives for the bits per entry).</summary>
    public int Probes => _filter.Probes;

    /// <summary>Whether nothing was added.</summary>
    public bool IsEmpty => _filter.IsEmpty;

    /// <summary>Adds a SHA-256 <paramref name="hash"/>.</summary>
    public void Add(ReadOnlySpan<byte> hash) => _filter.Add(hash);

    /// <summary>False: certainly not published. True: probably published (verify before trusting).</summary>
    public bool MightContain(ReadOnlySpan<byte> hash) => _filter.MightContain(hash);

    /// <summary>Frees the bits; the filter may not be used afterwards. <see cref="None"/> is never disposed.</summary>
    public void Dispose()
    {
        if (ReferenceEquals(this, None)) return;
        _filter.Dispose();
    }
}
