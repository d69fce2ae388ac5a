using System.Security.Cryptography;
using DataExchange.Core.Datasets.Schemas;
using DataExchange.Core.Ingestion;
using NUnit.Framework;

namespace DataExchange.Core.Tests.Ingestion;

/// <summary>Issue 4, item 5: content already published under the schema version is not evaluated again.</summary>
[TestFixture]
public sealed class PublishedHashesTests
{
    static byte[] Hash(int i) => SHA256.HashData(BitConverter.GetBytes(i));

    [Test]
    public void EveryAddedHash_IsFound_AndFewOthersAre()
    {
        var filter = new PublishedHashes(100_000);
        for (var i = 0; i < 100_000; i++) filter.Add(Hash(i));
        var missed = Enumerable.Range(0, 100_000).Count(i => !filter.MightContain(Hash(i)));
        var falsePositives = Enumerable.Range(100_000, 100_000).Count(i => filter.MightContain(Hash(i)));
        Assert.Multiple(() =>
        {
            Assert.That(missed, Is.Zero, "a Bloom filter has no false negatives");
            Assert.That(falsePositives, Is.LessThan(10), "about 5e-6 expected at 32 bits per entry in 512-bit blocks: 0.5 of 100,000");
        });
    }

    [Test]
    public void PastItsCap_AFilterTakesFewerProbes_AndStillMissesNothing()
    {
        // 100,000 hashes in 2^19 bits: 5.2 bits per entry, as 10M rows in the 8 MiB cap are 6.7.
        using var filter = new PublishedHashes(100_000, maxBits: 1 << 19);
        for (var i = 0; i < 100_000; i++) filter.Add(Hash(i));
        var missed = Enumerable.Range(0, 100_000).Count(i => !filter.MightContain(Hash(i)));
        var falsePositives = Enumerable.Range(100_000, 100_000).Count(i => filter.MightContain(Hash(i)));
        Assert.Multiple(() =>
        {
            Assert.That(filter.Probes, Is.EqualTo(4), "the fewest false positives at 5.2 bits per entry, not the 15 of 32");
            Assert.That(missed, Is.Zero);
            // About 8.3% in 512-bit blocks holding a Poisson number of entries (unblocked, (1 - e^(-4/5.24))^4 ≈ 8.1%); with 15 probes, about 40%.
            Assert.That(falsePositives, Is.InRange(5_000, 11_000));
        });
        using var roomy = new PublishedHashes(100_000);
        Assert.That(roomy.Probes, Is.EqualTo(15));
    }

    [Test]
    public void ADisposedFilter_RefusesQuestions_RatherThanReadFreedMemory()
    {
        var filter = new PublishedHashes(10);
        filter.Add(Hash(1));
        filter.Dispose();
        filter.Dispose();
        Assert.Throws<ObjectDisposedException>(() => filter.MightContain(Hash(1)));
        PublishedHashes.None.Dispose();
        Assert.That(PublishedHashes.None.MightContain(Hash(1)), Is.False, "None is shared and never freed");
    }

    [Test]
    public void AnEmptyFilter_KnowsNothing() =>
        Assert.That(PublishedHashes.None.MightContain(Hash(1)) || new PublishedHashes(10).MightContain(Hash(1)), Is.False);

    const string Schema = """
        {"type":"object","required":["code"],"properties":{"code":{"type":"string"},"n":{"type":"integer","maximum":10}}}
        """;

    [Test]
    public async Task ARecordWithAPublishedHash_SkipsTheEvaluator_AndIsMarkedUnchecked()
    {
        var schema = await DatasetSchema.LoadAsync(Schema, 1);
        // The hash of an invalid record (n > 10) in the filter stands for a false positive: the
        // validator then trusts the filter, and only the run's verification against the database stops it.
        var filter = new PublishedHashes(10);
        filter.Add(RecordShaper.Hash("""{"code":"A","n":11}"""));
        var validator = new RecordValidator(schema, ["code"], published: filter);
        var skipped = validator.Process(new SourceRecord(2, ["A", "11"], null, "A,11"), ["code", "n"]);
        var evaluated = validator.Process(new SourceRecord(3, ["B", "11"], null, "B,11"), ["code", "n"]);
        var valid = validator.Process(new SourceRecord(4, ["C", "1"], null, "C,1"), ["code", "n"]);
        Assert.Multiple(() =>
        {
            Assert.That(skipped.Staged!.Value.Checked, Is.False);
            Assert.That(skipped.Staged!.Value.Data, Is.EqualTo("""{"code":"A","n":11}"""));
            Assert.That(evaluated.Quarantined!.Value.Errors.Single().Code, Is.EqualTo("maximum"));
            Assert.That(valid.Staged!.Value.Checked, Is.True);
        });
    }
}
