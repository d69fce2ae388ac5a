namespace DataExchange.Core.Audit.Merkle;

/// <summary>
/// The tree head of a growing log in O(log n) memory: the roots of the perfect subtrees that the
/// binary digits of n describe, largest first. Folding them from the right gives exactly RFC 9162's
/// MTH, whose left subtree is always the largest power of two below n. Verification streams the
/// whole log through one of these.
/// </summary>
public sealed class MerkleAccumulator
{
    readonly List<(long Size, byte[] Hash)> _peaks = [];

    /// <summary>Leaves appended so far.</summary>
    public long Size { get; private set; }

    /// <summary>Appends one leaf given its data (an entry hash).</summary>
    public void Append(ReadOnlySpan<byte> leafData)
    {
        var hash = MerkleHash.Leaf(leafData);
        long size = 1;
        while (_peaks.Count > 0 && _peaks[^1].Size == size)
        {
            hash = MerkleHash.Node(_peaks[^1].Hash, hash);
            size *= 2;
            _peaks.RemoveAt(_peaks.Count - 1);
        }
        _peaks.Add((size, hash));
        Size++;
    }

    /// <summary>A copy that grows on its own (a signer extends a copy, and keeps it once the checkpoint commits).</summary>
    public MerkleAccumulator Clone()
    {
        var copy = new MerkleAccumulator { Size = Size };
        copy._peaks.AddRange(_peaks);
        return copy;
    }

    /// <summary>MTH of the leaves so far.</summary>
    public byte[] Root()
    {
        if (_peaks.Count == 0) return MerkleHash.Empty;
        var root = _peaks[^1].Hash;
        for (var i = _peaks.Count - 2; i >= 0; i--) root = MerkleHash.Node(_peaks[i].Hash, root);
        return root;
    }
}
