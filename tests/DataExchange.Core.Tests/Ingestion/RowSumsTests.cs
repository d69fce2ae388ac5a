using System.Security.Cryptography;
using DataExchange.Core.Ingestion;
using NUnit.Framework;

namespace DataExchange.Core.Tests.Ingestion;

/// <summary>Issue 14: the keyed multiset sums that prove a diff (<see cref="ProvenDiff"/>).</summary>
[TestFixture]
public sealed class RowSumsTests
{
    static byte[] Hash(int i) => SHA256.HashData(BitConverter.GetBytes(i));

    static RowSums Of(RowSums key, IEnumerable<int> items)
    {
        var sums = key.Sibling();
        foreach (var i in items) sums.Add(Hash(i));
        return sums;
    }

    [Test]
    public void AMultisetSplitInTwo_InAnyOrder_SumsToTheWhole()
    {
        using var whole = RowSums.Create();
        foreach (var i in Enumerable.Range(0, 1000)) whole.Add(Hash(i));
        using var left = Of(whole, Enumerable.Range(0, 1000).Where(i => i % 3 == 0).Reverse());
        using var right = Of(whole, Enumerable.Range(0, 1000).Where(i => i % 3 != 0));
        using var empty = whole.Sibling();
        using var all = Of(whole, Enumerable.Range(0, 1000).OrderBy(i => i * 7919 % 1000));
        Assert.Multiple(() =>
        {
            Assert.That(whole.IsSumOf(left, right), Is.True);
            Assert.That(whole.IsSumOf(all, empty), Is.True);
            Assert.That(whole.Count, Is.EqualTo(1000));
        });
    }

    [Test]
    public void AMissingARepeatedOrAnotherHash_BreaksTheSum_EvenWithTheCountRight()
    {
        using var whole = RowSums.Create();
        foreach (var i in Enumerable.Range(0, 1000)) whole.Add(Hash(i));
        using var empty = whole.Sibling();
        using var missing = Of(whole, Enumerable.Range(1, 999));
        using var repeated = Of(whole, Enumerable.Range(1, 999).Append(1));
        using var other = Of(whole, Enumerable.Range(1, 999).Append(5000));
        using var otherKey = RowSums.Create();
        foreach (var i in Enumerable.Range(0, 1000)) otherKey.Add(Hash(i));
        using var sameItems = Of(otherKey, Enumerable.Range(0, 1000));
        Assert.Multiple(() =>
        {
            Assert.That(whole.IsSumOf(missing, empty), Is.False);
            Assert.That(whole.IsSumOf(repeated, empty), Is.False, "one hash twice in place of another");
            Assert.That(whole.IsSumOf(other, empty), Is.False);
            Assert.That(otherKey.IsSumOf(sameItems, empty), Is.True);
        });
    }
}
