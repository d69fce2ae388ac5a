using System.Buffers.Binary;

namespace DataExchange.Core.Ingestion;

/// <summary>
/// The content hashes a dataset has published under one schema version, as a Bloom filter: about
/// 2 bytes per record (0.05% false positives) where a set of the hashes would hold 32 and more, and
/// never more than 16 MiB (past 8M rows the false positives rise instead), so memory stays bounded
/// however large datasets grow. A record whose hash may be in it skips the evaluator (issue
/// 4, item 5: its content was already valid under this version). A "maybe" is not trusted: the run
/// checks each skipped record against <c>dx.records</c> and validates the ones that do not match
/// exactly (<see cref="SkippedVerifier"/>), so a false positive costs time, never
/// correctness. Read-only once built, so validators share it across threads.
/// </summary>
public sealed class PublishedHashes
{
    const int BitsPerEntry = 16;
    const int Probes = 11; // optimal for 16 bits per entry: (16 × ln 2) ≈ 11
    const long MaxBits = 16L * 1024 * 1024 * 8;

    readonly ulong[] _bits;
    readonly ulong _size;

    /// <summary>An empty filter: nothing is known, every record is validated.</summary>
    public static PublishedHashes None { get; } = new(0);

    /// <summary>A filter sized for <paramref name="expected"/> hashes.</summary>
    public PublishedHashes(long expected)
    {
        var bits = Math.Clamp(expected * BitsPerEntry, 64, MaxBits);
        _bits = new ulong[(bits + 63) / 64];
        _size = (ulong)_bits.Length * 64;
        IsEmpty = true;
    }

    /// <summary>Whether nothing was added.</summary>
    public bool IsEmpty { get; private set; }

    /// <summary>Adds a SHA-256 <paramref name="hash"/>.</summary>
    public void Add(ReadOnlySpan<byte> hash)
    {
        var (h1, h2) = Split(hash);
        for (ulong i = 0; i < Probes; i++)
        {
            var bit = (h1 + i * h2) % _size;
            _bits[bit >> 6] |= 1UL << (int)(bit & 63);
        }
        IsEmpty = false;
    }

    /// <summary>False: certainly not published. True: probably published (verify before trusting).</summary>
    public bool MightContain(ReadOnlySpan<byte> hash)
    {
        if (IsEmpty) return false;
        var (h1, h2) = Split(hash);
        for (ulong i = 0; i < Probes; i++)
        {
            var bit = (h1 + i * h2) % _size;
            if ((_bits[bit >> 6] & (1UL << (int)(bit & 63))) == 0) return false;
        }
        return true;
    }

    // A SHA-256 is uniformly random already: two of its 64-bit words drive the probes (Kirsch–Mitzenmacher double hashing).
    static (ulong, ulong) Split(ReadOnlySpan<byte> hash) =>
        (BinaryPrimitives.ReadUInt64LittleEndian(hash), BinaryPrimitives.ReadUInt64LittleEndian(hash[8..]) | 1);
}
