using System.Numerics;
using System.Security.Cryptography;

namespace DataExchange.Core.Audit.Merkle;

/// <summary>The hashes of RFC 9162 §2.1.1: leaves SHA-256(0x00 ‖ d), interior nodes SHA-256(0x01 ‖ left ‖ right).</summary>
public static class MerkleHash
{
    /// <summary>The hash of an empty tree: SHA-256 of nothing.</summary>
    public static byte[] Empty { get; } = SHA256.HashData(ReadOnlySpan<byte>.Empty);

    /// <summary>SHA-256(0x00 ‖ <paramref name="data"/>).</summary>
    public static byte[] Leaf(ReadOnlySpan<byte> data)
    {
        Span<byte> buffer = stackalloc byte[1 + data.Length];
        buffer[0] = 0x00;
        data.CopyTo(buffer[1..]);
        return SHA256.HashData(buffer);
    }

    /// <summary>SHA-256(0x01 ‖ <paramref name="left"/> ‖ <paramref name="right"/>).</summary>
    public static byte[] Node(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        Span<byte> buffer = stackalloc byte[65];
        buffer[0] = 0x01;
        left.CopyTo(buffer[1..]);
        right.CopyTo(buffer[33..]);
        return SHA256.HashData(buffer);
    }

    /// <summary>The largest power of two strictly smaller than <paramref name="n"/> (n ≥ 2): the split point k of §2.1.1.</summary>
    public static long Split(long n) => (long)BitOperations.RoundUpToPowerOf2((ulong)n) >> 1;
}
