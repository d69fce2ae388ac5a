using System.Security.Cryptography;

namespace DataExchange.Cli.Audit;

/// <summary>
/// RFC 9162 tree heads over entry hashes (the leaf data), written from the RFC's text and sharing
/// no code with the server: MTH at several sizes in one pass, and the consistency proof check of
/// §2.1.4.2 that a witness uses to accept a newer checkpoint.
/// </summary>
public static class MerkleHeads
{
    /// <summary>
    /// MTH(D[0:n]) for every n in <paramref name="sizes"/> (each at most the number of hashes), in one
    /// pass: the stack holds the roots of the complete subtrees so far, largest first; folding it
    /// from the right is MTH, whose left subtree is always the largest power of two below n.
    /// </summary>
    public static Dictionary<long, string> At(IReadOnlyList<byte[]> entryHashes, IEnumerable<long> sizes)
    {
        var wanted = new SortedSet<long>(sizes);
        var roots = new Dictionary<long, string>();
        var stack = new List<(long Size, byte[] Hash)>();
        if (wanted.Remove(0))
        {
            roots[0] = Convert.ToHexStringLower(SHA256.HashData([]));
        }

        for (var i = 0; i < entryHashes.Count && wanted.Count > 0; i++)
        {
            var node = (Size: 1L, Hash: SHA256.HashData([0x00, .. entryHashes[i]]));
            while (stack.Count > 0 && stack[^1].Size == node.Size)
            {
                node = (node.Size * 2, Node(stack[^1].Hash, node.Hash));
                stack.RemoveAt(stack.Count - 1);
            }

            stack.Add(node);
            if (wanted.Remove(i + 1L))
            {
                var root = stack[^1].Hash;
                for (var j = stack.Count - 2; j >= 0; j--)
                {
                    root = Node(stack[j].Hash, root);
                }

                roots[i + 1L] = Convert.ToHexStringLower(root);
            }
        }

        return roots;
    }

    /// <summary>
    /// §2.1.4.2: whether <paramref name="path"/> proves that the tree of <paramref name="first"/> leaves
    /// with root <paramref name="firstRoot"/> is a prefix of the tree of <paramref name="second"/>
    /// leaves with root <paramref name="secondRoot"/> (0 &lt; first &lt; second).
    /// </summary>
    public static bool Consistent(long first, long second, byte[] firstRoot, byte[] secondRoot, IReadOnlyList<byte[]> path)
    {
        if (first <= 0 || first >= second || path.Count == 0)
        {
            return false;
        }

        // A power of two is a complete subtree of the second tree: its root is the proof's first node.
        var nodes = (first & (first - 1)) == 0 ? [firstRoot, .. path] : path.ToList();
        long fn = first - 1, sn = second - 1;
        while ((fn & 1) == 1)
        {
            fn >>= 1;
            sn >>= 1;
        }

        byte[] fr = nodes[0], sr = nodes[0];
        foreach (var c in nodes.Skip(1))
        {
            if (sn == 0)
            {
                return false;
            }

            if ((fn & 1) == 1 || fn == sn)
            {
                fr = Node(c, fr);
                sr = Node(c, sr);
                while ((fn & 1) == 0 && fn != 0)
                {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
            else
            {
                sr = Node(sr, c);
            }

            fn >>= 1;
            sn >>= 1;
        }

        return sn == 0 && fr.AsSpan().SequenceEqual(firstRoot) && sr.AsSpan().SequenceEqual(secondRoot);
    }

    static byte[] Node(byte[] left, byte[] right) => SHA256.HashData([0x01, .. left, .. right]);
}
