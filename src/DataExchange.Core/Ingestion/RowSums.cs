using System.Buffers.Binary;
using System.Security.Cryptography;

namespace DataExchange.Core.Ingestion;

/// <summary>
/// A count and a multiset hash of source row hashes (issue 14, <see cref="ProvenDiff"/>): each 32-byte hash is
/// encrypted under a key drawn for the run (AES-256, its two 16-byte halves as two blocks) and the four 64-bit lanes of
/// the result are summed mod 2^64. Equal multisets give equal sums; different ones give equal sums with probability about
/// 2^-88 for multiplicities under 2^20, however they were chosen, since the key never leaves the process (Clarke et al.'s
/// MSet-Add-Hash with a keyed pseudo-random function). An unkeyed sum of the SHA-256 values themselves would not do: a
/// payload's author knows the hashes of its rows and could search for rows whose hashes sum to a target (Wagner's
/// generalised birthday attack on additive hashes). Batched, so the encryption costs about 40 ms per 2M hashes. One thread.
/// </summary>
public sealed class RowSums : IDisposable
{
    const int Batch = 128;

    readonly Aes _aes;
    readonly byte[] _pending = new byte[Batch * 32];
    readonly byte[] _encrypted = new byte[Batch * 32];
    int _count;
    ulong _a, _b, _c, _d;

    RowSums(Aes aes) => _aes = aes;

    /// <summary>Sums under a fresh random key.</summary>
    public static RowSums Create()
    {
        var aes = Aes.Create();
        aes.Key = RandomNumberGenerator.GetBytes(32);
        return new RowSums(aes);
    }

    /// <summary>Empty sums under the same key as this one, so that the two can be compared and added.</summary>
    public RowSums Sibling()
    {
        var aes = Aes.Create();
        aes.Key = _aes.Key;
        return new RowSums(aes);
    }

    /// <summary>How many hashes were added.</summary>
    public long Count { get; private set; }

    /// <summary>Adds one SHA-256 <paramref name="hash"/>.</summary>
    public void Add(ReadOnlySpan<byte> hash)
    {
        if (hash.Length != 32) throw new ArgumentException("A SHA-256 has 32 bytes.", nameof(hash));
        hash.CopyTo(_pending.AsSpan(_count * 32));
        Count++;
        if (++_count == Batch) Flush();
    }

    /// <summary>Whether <paramref name="left"/> plus <paramref name="right"/> is the multiset of this one (all under one key).</summary>
    public bool IsSumOf(RowSums left, RowSums right)
    {
        Flush();
        left.Flush();
        right.Flush();
        return Count == left.Count + right.Count
               && _a == left._a + right._a && _b == left._b + right._b && _c == left._c + right._c && _d == left._d + right._d;
    }

    void Flush()
    {
        if (_count == 0) return;
        var bytes = _count * 32;
        _aes.EncryptEcb(_pending.AsSpan(0, bytes), _encrypted.AsSpan(0, bytes), PaddingMode.None);
        for (var i = 0; i < bytes; i += 32)
        {
            var e = _encrypted.AsSpan(i, 32);
            _a += BinaryPrimitives.ReadUInt64LittleEndian(e);
            _b += BinaryPrimitives.ReadUInt64LittleEndian(e[8..]);
            _c += BinaryPrimitives.ReadUInt64LittleEndian(e[16..]);
            _d += BinaryPrimitives.ReadUInt64LittleEndian(e[24..]);
        }
        _count = 0;
    }

    /// <summary>Disposes the cipher.</summary>
    public void Dispose() => _aes.Dispose();
}
