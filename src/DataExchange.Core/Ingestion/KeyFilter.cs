using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace DataExchange.Core.Ingestion;

/// <summary>
/// The keys a run has staged so far, as a Bloom filter filled by the single thread that writes the
/// stage: a key it may have seen before is staged with <c>dup</c> set, and the de-duplication looks only
/// at the keys of those rows (none: it does not run at all). No false negatives, so every repeated key
/// has at least one copy flagged; a false positive only adds a key that turns out to appear once. Sized
/// from the payload's length and capped at 16 MiB, so memory stays bounded whatever the payload (past the
/// cap, false positives rise and the de-duplication looks at more keys; the outcome is the same).
/// </summary>
public sealed class KeyFilter
{
    const int Probes = 7;
    const long MinBits = 1L << 16;
    const long MaxBits = 1L << 27;

    readonly ulong[] _bits;
    readonly ulong _size;

    /// <summary>A filter of <paramref name="bits"/> bits, clamped to [64 Ki, 128 Mi] and rounded up to a multiple of 64.</summary>
    public KeyFilter(long bits)
    {
        bits = Math.Clamp(bits, MinBits, MaxBits);
        _bits = new ulong[(bits + 63) / 64];
        _size = (ulong)_bits.Length * 64;
    }

    /// <summary>A filter for a payload of <paramref name="payloadBytes"/> bytes: 2 bits per byte (≥ 32 bits per key of any CSV row of 16 bytes or more).</summary>
    public static KeyFilter ForPayload(long payloadBytes, bool compressed) => new(payloadBytes * (compressed ? 16 : 2));

    /// <summary>Adds <paramref name="key"/>; true when it may have been added before (certainly, if it was).</summary>
    public bool Add(string key)
    {
        var hash = XxHash128.HashToUInt128(MemoryMarshal.AsBytes(key.AsSpan()));
        var h1 = (ulong)hash;
        var h2 = (ulong)(hash >> 64) | 1;
        var seen = true;
        for (ulong i = 0; i < Probes; i++)
        {
            var bit = (h1 + i * h2) % _size;
            ref var word = ref _bits[bit >> 6];
            var mask = 1UL << (int)(bit & 63);
            if ((word & mask) == 0)
            {
                seen = false;
                word |= mask;
            }
        }
        return seen;
    }
}
