using System.Security.Cryptography;
using DataExchange.Core.Audit.Merkle;
using NUnit.Framework;

namespace DataExchange.Core.Tests.Audit;

/// <summary>Issue 6: the exchange's RFC 9162 trees and proofs, checked by the independent verifier for every size up to 40.</summary>
[TestFixture]
public sealed class MerkleProofTests
{
    static readonly List<byte[]> Data = Enumerable.Range(0, 40).Select(i => SHA256.HashData(BitConverter.GetBytes(i))).ToList();
    static readonly MerkleTree Tree = new(Data.Select(d => MerkleHash.Leaf(d)).ToList());

    [Test]
    public void Root_EqualsTheRfcDefinition_ForEverySize()
    {
        for (var n = 0; n <= Data.Count; n++)
            Assert.That(Tree.Root(n), Is.EqualTo(Rfc9162Verifier.Mth(Data.Take(n).ToList())), $"n = {n}");
    }

    [Test]
    public void Accumulator_EqualsTheTree_AfterEveryAppend()
    {
        var accumulator = new MerkleAccumulator();
        Assert.That(accumulator.Root(), Is.EqualTo(Tree.Root(0)));
        for (var n = 1; n <= Data.Count; n++)
        {
            accumulator.Append(Data[n - 1]);
            Assert.That(accumulator.Root(), Is.EqualTo(Tree.Root(n)), $"n = {n}");
        }
    }

    [Test]
    public void InclusionPaths_Verify_ForEveryLeafOfEverySize()
    {
        for (var n = 1; n <= Data.Count; n++)
            for (var m = 0; m < n; m++)
                Assert.That(Rfc9162Verifier.VerifyInclusion(m, n, MerkleHash.Leaf(Data[m]), Tree.InclusionPath(m, n), Tree.Root(n)), Is.True, $"m = {m}, n = {n}");
    }

    [Test]
    public void MemoisedTree_GivesTheSameRootsAndProofs_AsItGrows()
    {
        // 300 leaves: subtrees of 64, 128 and 256 get remembered at one size and reused at the next.
        var data = Enumerable.Range(0, 300).Select(i => SHA256.HashData(BitConverter.GetBytes(i))).ToList();
        var leaves = data.Select(d => MerkleHash.Leaf(d)).ToList();
        var memo = new Dictionary<(long, long), byte[]>();
        var plain = new MerkleTree(leaves);
        foreach (var n in new[] { 70, 128, 129, 200, 256, 300 })
        {
            var memoised = new MerkleTree(leaves, memo);
            Assert.Multiple(() =>
            {
                Assert.That(memoised.Root(n), Is.EqualTo(Rfc9162Verifier.Mth(data.Take(n).ToList())), $"n = {n}");
                Assert.That(memoised.InclusionPath(n / 3, n), Is.EqualTo(plain.InclusionPath(n / 3, n)), $"n = {n}");
                Assert.That(Rfc9162Verifier.VerifyConsistency(65, n, plain.Root(65), plain.Root(n), memoised.ConsistencyProof(65, n)), Is.True, $"n = {n}");
            });
        }
        Assert.That(memo.Keys, Does.Contain((0L, 256L)).And.Contain((128L, 64L)));
    }

    [Test]
    public void InclusionPaths_DoNotVerify_ForAnotherLeafOrRoot()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Rfc9162Verifier.VerifyInclusion(5, 13, MerkleHash.Leaf(Data[6]), Tree.InclusionPath(5, 13), Tree.Root(13)), Is.False);
            Assert.That(Rfc9162Verifier.VerifyInclusion(5, 13, MerkleHash.Leaf(Data[5]), Tree.InclusionPath(5, 13), Tree.Root(14)), Is.False);
            Assert.That(Rfc9162Verifier.VerifyInclusion(5, 14, MerkleHash.Leaf(Data[5]), Tree.InclusionPath(5, 13), Tree.Root(14)), Is.False);
        });
    }

    [Test]
    public void ConsistencyProofs_Verify_ForEveryPairOfSizes()
    {
        for (var n = 2; n <= Data.Count; n++)
            for (var m = 1; m < n; m++)
                Assert.That(Rfc9162Verifier.VerifyConsistency(m, n, Tree.Root(m), Tree.Root(n), Tree.ConsistencyProof(m, n)), Is.True, $"m = {m}, n = {n}");
    }

    [Test]
    public void ConsistencyProofs_DoNotVerify_AgainstADifferentHistory()
    {
        var forged = new MerkleTree(Data.Select((d, i) => MerkleHash.Leaf(i == 3 ? new byte[32] : d)).ToList());

        Assert.Multiple(() =>
        {
            Assert.That(Rfc9162Verifier.VerifyConsistency(7, 20, Tree.Root(7), forged.Root(20), Tree.ConsistencyProof(7, 20)), Is.False);
            Assert.That(Rfc9162Verifier.VerifyConsistency(7, 20, forged.Root(7), Tree.Root(20), Tree.ConsistencyProof(7, 20)), Is.False);
            Assert.That(Rfc9162Verifier.VerifyConsistency(8, 20, Tree.Root(8), Tree.Root(20), Tree.ConsistencyProof(7, 20)), Is.False);
        });
    }
}
