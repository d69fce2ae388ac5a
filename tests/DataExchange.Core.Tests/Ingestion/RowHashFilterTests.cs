using System.Security.Cryptography;
using DataExchange.Core.Ingestion;
using NUnit.Framework;

namespace DataExchange.Core.Tests.Ingestion;

/// <summary>Issue 14: the filter of current records' row hashes is sharp enough for a proven diff, and still capped.</summary>
[TestFixture]
public sealed class RowHashFilterTests
{
    static byte[] Hash(int i) => SHA256.HashData(BitConverter.GetBytes(i));

    [Test]
    public void EveryAddedHash_IsFound_AndNoneOfAMillionOthers_At64BitsPerEntry()
    {
        using var filter = new RowHashFilter(100_000, 8L * 1024 * 1024 * 8);
        for (var i = 0; i < 100_000; i++) filter.Add(Hash(i));
        var missed = Enumerable.Range(0, 100_000).Count(i => !filter.MightContain(Hash(i)));
        var falsePositives = Enumerable.Range(100_000, 1_000_000).Count(i => filter.MightContain(Hash(i)));
        Assert.Multiple(() =>
        {
            Assert.That(missed, Is.Zero, "a Bloom filter has no false negatives");
            Assert.That(falsePositives, Is.Zero, "about 1e-8 expected at 64 bits per entry in 512-bit blocks");
            Assert.That(filter.FalsePositiveRate(100_000), Is.LessThan(1e-7));
        });
    }

    [Test]
    public void PastItsCap_FalsePositivesRise_AsItsOwnEstimateSays_AndItMissesNothing()
    {
        // 100,000 hashes in 2^19 bits: 5.2 bits per entry, as 10M rows in the 8 MiB cap are 6.7.
        using var filter = new RowHashFilter(100_000, 1 << 19);
        for (var i = 0; i < 100_000; i++) filter.Add(Hash(i));
        var missed = Enumerable.Range(0, 100_000).Count(i => !filter.MightContain(Hash(i)));
        var falsePositives = Enumerable.Range(100_000, 100_000).Count(i => filter.MightContain(Hash(i)));
        var expected = filter.FalsePositiveRate(100_000) * 100_000;
        Assert.Multiple(() =>
        {
            Assert.That(missed, Is.Zero);
            Assert.That(filter.Probes, Is.InRange(2, 5));
            Assert.That(expected, Is.InRange(5_000, 15_000));
            Assert.That(falsePositives, Is.InRange(expected * 0.9, expected * 1.1));
        });
    }

    [Test]
    public void AnEmptyFilter_KnowsNothing_AndADisposedOneRefusesQuestions()
    {
        Assert.That(RowHashFilter.None.MightContain(Hash(1)) || new RowHashFilter(10, 1 << 20).MightContain(Hash(1)), Is.False);
        var filter = new RowHashFilter(10, 1 << 20);
        filter.Add(Hash(1));
        filter.Dispose();
        Assert.Throws<ObjectDisposedException>(() => filter.MightContain(Hash(1)));
        RowHashFilter.None.Dispose();
        Assert.That(RowHashFilter.None.MightContain(Hash(1)), Is.False);
    }
}
