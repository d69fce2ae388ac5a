using System.Buffers.Binary;

namespace DataExchange.Core.Ingestion;

/// <summary>
/// The content hashes a dataset has published under one schema version, as a Bloom filter: 2 bytes per
/// record (0.05% false positives) where a set of the hashes would hold 32 and more, and never more than
/// 8 MiB, so memory stays bounded however large datasets grow. Past 4M rows the bits per entry fall and the
/// probes with them (k = bits per entry × ln 2): about 4% false positives at 10M rows. That costs little,
/// since only a record that is <em>not</em> published can be a false positive, and in a re-ingest those
/// are the changed few. A record whose hash may be in it skips the evaluator (issue 4, item 5: its content
/// was already valid under this version). A "maybe" is not trusted: the run checks each skipped record
/// against <c>dx.records</c> and validates the ones that do not match exactly (<see cref="SkippedVerifier"/>),
/// so a false positive costs time, never correctness. Read-only once built, so validators share it across
/// threads.
/// <para>
/// The bits live outside the GC heap and are freed by <see cref="Dispose"/> when the run's staging ends
/// (issue 14, flat memory): as large arrays they were freed only by a full collection and left the large
/// object heap fragmented (38 MB free in it at the peak of a 10M-row re-ingest), so the working set at 10M
/// rows grew by far more than the filters themselves.
/// </para>
/// </summary>
public sealed unsafe class PublishedHashes : IDisposable
{
    const int BitsPerEntry = 16;
    const int MaxProbes = 11; // optimal for 16 bits per entry: (16 × ln 2) ≈ 11
    const long MaxBits = 8L * 1024 * 1024 * 8;

    readonly NativeWords _bits;
    readonly ulong _size;

    /// <summary>An empty filter: nothing is known, every record is validated.</summary>
    public static PublishedHashes None { get; } = new(0);

    /// <summary>A filter sized for <paramref name="expected"/> hashes, at most 8 MiB.</summary>
    public PublishedHashes(long expected) : this(expected, MaxBits)
    {
    }

    /// <summary>A filter sized for <paramref name="expected"/> hashes, at most <paramref name="maxBits"/> bits.</summary>
    internal PublishedHashes(long expected, long maxBits)
    {
        var words = (Math.Clamp(expected * BitsPerEntry, 64, maxBits) + 63) / 64;
        _bits = new NativeWords((nuint)words);
        _size = (ulong)words * 64;
        Probes = (int)Math.Clamp(Math.Round((double)_size / Math.Max(expected, 1) * Math.Log(2)), 1, MaxProbes);
        IsEmpty = true;
    }

    /// <summary>How many bits each hash sets and each question tests.</summary>
    public int Probes { get; }

    /// <summary>Whether nothing was added.</summary>
    public bool IsEmpty { get; private set; }

    /// <summary>Adds a SHA-256 <paramref name="hash"/>.</summary>
    public void Add(ReadOnlySpan<byte> hash)
    {
        var bits = Bits;
        var (h1, h2) = Split(hash);
        for (ulong i = 0; i < (ulong)Probes; i++)
        {
            var bit = (h1 + i * h2) % _size;
            bits[bit >> 6] |= 1UL << (int)(bit & 63);
        }
        IsEmpty = false;
    }

    /// <summary>False: certainly not published. True: probably published (verify before trusting).</summary>
    public bool MightContain(ReadOnlySpan<byte> hash)
    {
        if (IsEmpty) return false;
        var bits = Bits;
        var (h1, h2) = Split(hash);
        for (ulong i = 0; i < (ulong)Probes; i++)
        {
            var bit = (h1 + i * h2) % _size;
            if ((bits[bit >> 6] & (1UL << (int)(bit & 63))) == 0) return false;
        }
        return true;
    }

    /// <summary>Frees the bits; the filter may not be used afterwards. <see cref="None"/> is never disposed.</summary>
    public void Dispose()
    {
        if (ReferenceEquals(this, None)) return;
        _bits.Dispose();
    }


    ulong* Bits => _bits.Get(nameof(PublishedHashes));

    // A SHA-256 is uniformly random already: two of its 64-bit words drive the probes (Kirsch–Mitzenmacher double hashing).
    static (ulong, ulong) Split(ReadOnlySpan<byte> hash) =>
        (BinaryPrimitives.ReadUInt64LittleEndian(hash), BinaryPrimitives.ReadUInt64LittleEndian(hash[8..]) | 1);
}
