namespace DataExchange.Core.Audit.Merkle;

/// <summary>
/// RFC 9162 §2.1 over a list of leaf hashes (already SHA-256(0x00 ‖ d)): the tree head, inclusion
/// paths (§2.1.3.1) and consistency proofs (§2.1.4.1). Without a memo every call is O(n) hashes;
/// with one, complete aligned subtrees of <see cref="MemoFrom"/> leaves or more are hashed once
/// and remembered (they never change in an append-only log), so a call costs O(n / 64 + 64 log n).
/// </summary>
public sealed class MerkleTree(IReadOnlyList<byte[]> leafHashes, IDictionary<(long Start, long Size), byte[]>? memo = null)
{
    /// <summary>Smallest subtree worth remembering: 64 leaves, so the memo holds about n / 32 hashes.</summary>
    public const long MemoFrom = 64;

    /// <summary>The number of leaves.</summary>
    public long Size => leafHashes.Count;

    /// <summary>MTH(D[0:n]) for the first <paramref name="n"/> leaves.</summary>
    public byte[] Root(long n) => n == 0 ? MerkleHash.Empty : Hash(0, n);

    /// <summary>PATH(m, D[0:n]): the audit path of leaf <paramref name="m"/> in the tree of size <paramref name="n"/>.</summary>
    public IReadOnlyList<byte[]> InclusionPath(long m, long n)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(n, Size);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(m, n);
        var path = new List<byte[]>();
        Path(m, 0, n, path);
        return path;
    }

    /// <summary>PROOF(m, D[0:n]): the consistency proof from size <paramref name="m"/> to size <paramref name="n"/> (0 &lt; m ≤ n).</summary>
    public IReadOnlyList<byte[]> ConsistencyProof(long m, long n)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(n, Size);
        ArgumentOutOfRangeException.ThrowIfLessThan(m, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(m, n);
        var proof = new List<byte[]>();
        SubProof(m, 0, n, true, proof);
        return proof;
    }

    // The subtree D[start:end]; the recursion splits at the largest power of two, as MTH does.
    byte[] Hash(long start, long end)
    {
        var n = end - start;
        if (n == 1) return leafHashes[(int)start];
        // Complete aligned subtrees are the left halves RFC 9162 always splits off.
        var perfect = memo is not null && n >= MemoFrom && (n & (n - 1)) == 0 && start % n == 0;
        if (perfect && memo!.TryGetValue((start, n), out var known)) return known;
        var k = MerkleHash.Split(n);
        var hash = MerkleHash.Node(Hash(start, start + k), Hash(start + k, end));
        if (perfect) memo![(start, n)] = hash;
        return hash;
    }

    // Appends in RFC order: the deepest sibling first.
    void Path(long m, long start, long end, List<byte[]> path)
    {
        var n = end - start;
        if (n == 1) return;
        var k = MerkleHash.Split(n);
        if (m < k)
        {
            Path(m, start, start + k, path);
            path.Add(Hash(start + k, end));
        }
        else
        {
            Path(m - k, start + k, end, path);
            path.Add(Hash(start, start + k));
        }
    }

    void SubProof(long m, long start, long end, bool complete, List<byte[]> proof)
    {
        var n = end - start;
        if (m == n)
        {
            if (!complete) proof.Add(Hash(start, end));
            return;
        }
        var k = MerkleHash.Split(n);
        if (m <= k)
        {
            SubProof(m, start, start + k, complete, proof);
            proof.Add(Hash(start + k, end));
        }
        else
        {
            SubProof(m - k, start + k, end, false, proof);
            proof.Add(Hash(start, start + k));
        }
    }
}
