using System.Security.Cryptography;

namespace DataExchange.Core.Tests.Audit;

/// <summary>
/// An independent, minimal reading of RFC 9162 written from the RFC's text (§2.1.1 MTH,
/// §2.1.3.2 inclusion verification, §2.1.4.2 consistency verification), sharing no code with the
/// exchange's Merkle classes. Linked into both test projects.
/// </summary>
public static class Rfc9162Verifier
{
    /// <summary>§2.1.1: MTH({}) = SHA-256(), MTH({d0}) = SHA-256(0x00 ‖ d0), MTH(D[n]) = SHA-256(0x01 ‖ MTH(D[0:k]) ‖ MTH(D[k:n])).</summary>
    public static byte[] Mth(IReadOnlyList<byte[]> data)
    {
        if (data.Count == 0) return SHA256.HashData(Array.Empty<byte>());
        if (data.Count == 1) return SHA256.HashData([0x00, .. data[0]]);
        var k = 1;
        while (k << 1 < data.Count) k <<= 1;
        return SHA256.HashData([0x01, .. Mth(data.Take(k).ToList()), .. Mth(data.Skip(k).ToList())]);
    }

    /// <summary>§2.1.3.2, step by step; <paramref name="hash"/> is the leaf hash.</summary>
    public static bool VerifyInclusion(long leafIndex, long treeSize, byte[] hash, IReadOnlyList<byte[]> inclusionPath, byte[] rootHash)
    {
        // 1. leaf_index must be below tree_size.
        if (leafIndex >= treeSize) return false;
        // 2. fn = leaf_index, sn = tree_size - 1.  3. r = hash.
        long fn = leafIndex, sn = treeSize - 1;
        var r = hash;
        // 4. For each p in the path:
        foreach (var p in inclusionPath)
        {
            // a. sn = 0 here means the path is too long.
            if (sn == 0) return false;
            // b. Right sibling when LSB(fn) is set or fn == sn …
            if ((fn & 1) == 1 || fn == sn)
            {
                r = SHA256.HashData([0x01, .. p, .. r]);
                // … and when LSB(fn) is not set, shift until it is or fn is 0.
                if ((fn & 1) == 0)
                    while ((fn & 1) == 0 && fn != 0) { fn >>= 1; sn >>= 1; }
            }
            else
            {
                r = SHA256.HashData([0x01, .. r, .. p]);
            }
            // c. Shift once.
            fn >>= 1;
            sn >>= 1;
        }
        // 5. sn must be 0 and r the root.
        return sn == 0 && r.AsSpan().SequenceEqual(rootHash);
    }

    /// <summary>§2.1.4.2, step by step.</summary>
    public static bool VerifyConsistency(long first, long second, byte[] firstHash, byte[] secondHash, IReadOnlyList<byte[]> consistencyPath)
    {
        // 1. An empty path fails.
        if (consistencyPath.Count == 0) return false;
        // 2. If first is an exact power of 2, prepend first_hash.
        var path = (first & (first - 1)) == 0 ? [firstHash, .. consistencyPath] : consistencyPath.ToList();
        // 3. fn = first - 1, sn = second - 1.
        long fn = first - 1, sn = second - 1;
        // 4. If LSB(fn) is set, shift both until it is not.
        while ((fn & 1) == 1) { fn >>= 1; sn >>= 1; }
        // 5. fr = sr = the first value.
        byte[] fr = path[0], sr = path[0];
        // 6. For each subsequent value c:
        foreach (var c in path.Skip(1))
        {
            // a. sn = 0 here fails.
            if (sn == 0) return false;
            // b.
            if ((fn & 1) == 1 || fn == sn)
            {
                fr = SHA256.HashData([0x01, .. c, .. fr]);
                sr = SHA256.HashData([0x01, .. c, .. sr]);
                if ((fn & 1) == 0)
                    while ((fn & 1) == 0 && fn != 0) { fn >>= 1; sn >>= 1; }
            }
            else
            {
                sr = SHA256.HashData([0x01, .. sr, .. c]);
            }
            // c.
            fn >>= 1;
            sn >>= 1;
        }
        // 7. fr = first_hash, sr = second_hash, sn = 0.
        return fr.AsSpan().SequenceEqual(firstHash) && sr.AsSpan().SequenceEqual(secondHash) && sn == 0;
    }
}
