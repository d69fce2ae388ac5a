using System.Buffers.Binary;

namespace DataExchange.Core.Ingestion;

/// <summary>
/// The source row hashes of a dataset's current records (<see cref="SourceRowHash"/>) as a blocked Bloom filter sharp
/// enough to prove a diff (issue 14, <see cref="ProvenDiff"/>): 64 bits per entry where the content filter
/// (<see cref="PublishedHashes"/>, built on this one) has 32, all of an entry's bits in one 64-byte block (one cache miss a question, as
/// <see cref="KeyFilter"/>), the block and the bits taken from the SHA-256 itself. A proof fails on a single false positive
/// among the rows a run does not know (20,000 in a 1%-changed re-ingest of 1M rows), so the rate must be far below
/// 1/20,000: with 512-bit blocks it is about 5e-6 at 32 bits per entry, 1.3e-7 at 48 and 8e-9 at 64 (blocks holding a
/// Poisson number of entries; <c>RowHashFilterTests</c>). Capped (8 MiB by default, <see cref="IngestionOptions.RowFilterMaxBytes"/>),
/// so memory stays flat: past 1M rows the bits per entry fall, false positives rise and the proof holds less often
/// (the full diff then runs, as before). The bits live in native memory, freed by <see cref="Dispose"/> (as <see cref="PublishedHashes"/>).
/// </summary>
public sealed unsafe class RowHashFilter : IDisposable
{
    const int BitsPerEntry = 64;
    const int WordsPerBlock = 8; // 512 bits
    const int MaxProbes = 21; // 64 bits choose the block, 21 × 9 bits of the remaining 192 place the bits

    readonly NativeWords _bits;
    readonly ulong _blocks;

    /// <summary>An empty filter: nothing is known.</summary>
    public static RowHashFilter None { get; } = new(0, 512);

    /// <summary>A filter for <paramref name="expected"/> hashes in at most <paramref name="maxBits"/> bits (at least one 512-bit block).</summary>
    public RowHashFilter(long expected, long maxBits)
    {
        var bits = Math.Clamp(expected * BitsPerEntry, 512, Math.Max(maxBits, 512));
        _blocks = (ulong)(bits / 512);
        _bits = new NativeWords((nuint)(_blocks * WordsPerBlock));
        Probes = BestProbes((double)_blocks * 512 / Math.Max(expected, 1));
    }

    /// <summary>How many bits each hash sets and each question tests: the fewest false positives for the bits per entry.</summary>
    public int Probes { get; }

    /// <summary>Whether nothing was added.</summary>
    public bool IsEmpty { get; private set; } = true;

    /// <summary>The expected share of false positives for the entries added so far (blocks hold a Poisson number of entries).</summary>
    public double FalsePositiveRate(long entries) => Rate((double)_blocks * 512 / Math.Max(entries, 1), Probes);

    /// <summary>Adds a SHA-256 <paramref name="hash"/>.</summary>
    public void Add(ReadOnlySpan<byte> hash)
    {
        var block = Block(hash);
        for (var i = 0; i < Probes; i++)
        {
            var bit = Bit(hash, i);
            block[bit >> 6] |= 1UL << (bit & 63);
        }
        IsEmpty = false;
    }

    /// <summary>False: certainly not added. True: probably added (verify before trusting).</summary>
    public bool MightContain(ReadOnlySpan<byte> hash)
    {
        if (IsEmpty) return false;
        var block = Block(hash);
        for (var i = 0; i < Probes; i++)
        {
            var bit = Bit(hash, i);
            if ((block[bit >> 6] & (1UL << (bit & 63))) == 0) return false;
        }
        return true;
    }

    /// <summary>Frees the bits; the filter may not be used afterwards. <see cref="None"/> is never disposed.</summary>
    public void Dispose()
    {
        if (ReferenceEquals(this, None)) return;
        _bits.Dispose();
    }


    // A SHA-256 is uniformly random: its first 64 bits choose the block (multiply-shift), the next 192 give 9-bit positions.
    ulong* Block(ReadOnlySpan<byte> hash)
    {
        var bits = _bits.Get(nameof(RowHashFilter));
        var high = BinaryPrimitives.ReadUInt64LittleEndian(hash);
        return bits + Math.BigMul(high, _blocks, out _) * WordsPerBlock;
    }

    static int Bit(ReadOnlySpan<byte> hash, int i)
    {
        var at = 64 + i * 9; // bit offset in the hash
        var two = BinaryPrimitives.ReadUInt16LittleEndian(hash[(at >> 3)..]);
        return (two >> (at & 7)) & 511;
    }

    static int BestProbes(double bitsPerEntry)
    {
        var (best, rate) = (1, 1.0);
        for (var k = 1; k <= MaxProbes; k++)
            if (Rate(bitsPerEntry, k) is var r && r < rate) (best, rate) = (k, r);
        return best;
    }

    // Entries per block ~ Poisson(512 / bits per entry); a question fails when all k bits of its block are set.
    static double Rate(double bitsPerEntry, int k)
    {
        var mean = 512 / bitsPerEntry;
        double sum = 0, p = Math.Exp(-mean);
        for (var n = 0; n < 400 && (n < mean || p > 1e-18); n++)
        {
            if (n > 0) p *= mean / n;
            sum += p * Math.Pow(1 - Math.Pow(1 - 1.0 / 512, (double)k * n), k);
        }
        return sum;
    }
}
