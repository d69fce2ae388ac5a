using NUnit.Framework;
using static DataExchange.IntegrationTests.Ingestion.DeletionTestData;

namespace DataExchange.IntegrationTests.Ingestion;

/// <summary>Issue 12: a rejected row never deletes its published record; the snapshot keeps it and counts it as kept.</summary>
[TestFixture]
public sealed class KeptRecordsTests
{
    IngestionHarness _h = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _h = await IngestionHarness.StartAsync("ingest_kept");

    [OneTimeTearDown]
    public void Stop() => _h.Dispose();

    [Test]
    public async Task Snapshot_KeepsThePublishedRecordsOfRowsRejectedForAWrongType_Issue12()
    {
        var id = await _h.RegisterAsync("wrongtype", ["code"], Schema(), new { source = "upload", format = "csv" });
        var v1 = await _h.PushAsync(id, Csv(1, 100));
        Assert.That(IngestionHarness.Status(v1), Is.EqualTo("succeeded"), v1.ToJsonString());

        // v2: keys 1–5 carry a text amount (rejected), keys 91–100 changed amounts (so that v2 is published).
        var v2 = await _h.PushAsync(id, Csv(1, 100, i => i <= 5 ? "not-a-number" : i > 90 ? (i * 10).ToString(System.Globalization.CultureInfo.InvariantCulture) : null));
        Assert.Multiple(() =>
        {
            Assert.That(IngestionHarness.Status(v2), Is.EqualTo("succeeded"), v2.ToJsonString());
            Assert.That(v2["publishedVersion"]!.GetValue<int>(), Is.EqualTo(2));
            Assert.That(IngestionHarness.Count(v2, "rejected"), Is.EqualTo(5));
            Assert.That(IngestionHarness.Count(v2, "kept"), Is.EqualTo(5));
            Assert.That(IngestionHarness.Count(v2, "deleted"), Is.EqualTo(0));
            Assert.That(IngestionHarness.Count(v2, "updated"), Is.EqualTo(10));
        });
        var amounts = await AmountsAsync(_h, id);
        Assert.That(amounts, Has.Count.EqualTo(100));
        Assert.That(Enumerable.Range(1, 5).Select(i => amounts[Key(i)]), Is.EqualTo(new long[] { 1, 2, 3, 4, 5 }), "the v1 content of the rejected keys");
        var changes = await ChangesAsync(_h, id, 1);
        Assert.That(changes.Where(c => c.Op == "delete"), Is.Empty, "the change feed tells consumers to delete nothing");
        Assert.That(changes.Select(c => c.Key), Is.EquivalentTo(Enumerable.Range(91, 10).Select(Key)));
    }

    [Test]
    public async Task Snapshot_KeepsThePublishedRecordOfAKeyQuarantinedAsADuplicateConflict_Issue12()
    {
        var id = await _h.RegisterAsync("dupconflict", ["code"], Schema(), new { source = "upload", format = "csv" });
        Assert.That(IngestionHarness.Status(await _h.PushAsync(id, Csv(1, 20))), Is.EqualTo("succeeded"));

        // K003 twice with different content (both copies rejected), K020 changed.
        var v2 = await _h.PushAsync(id, Csv(1, 20, i => i == 20 ? "2000" : null) + "K003,333\n");
        Assert.Multiple(() =>
        {
            Assert.That(IngestionHarness.Status(v2), Is.EqualTo("succeeded"), v2.ToJsonString());
            Assert.That(IngestionHarness.Count(v2, "rejected"), Is.EqualTo(2));
            Assert.That(IngestionHarness.Count(v2, "kept"), Is.EqualTo(1));
            Assert.That(IngestionHarness.Count(v2, "deleted"), Is.EqualTo(0));
        });
        var amounts = await AmountsAsync(_h, id);
        Assert.That(amounts[Key(3)], Is.EqualTo(3), "K003 keeps its published record");
        Assert.That(amounts[Key(20)], Is.EqualTo(2000));
        Assert.That(await ChangesAsync(_h, id, 1), Is.EqualTo(new[] { ("update", Key(20)) }));
    }

    [Test]
    public async Task Snapshot_WithARejectedRowWithoutAKey_HoldsItsDeletions_Issue12()
    {
        var id = await _h.RegisterAsync("unkeyed", ["code"], Schema(), new { source = "upload", format = "csv" });
        Assert.That(IngestionHarness.Status(await _h.PushAsync(id, Csv(1, 40))), Is.EqualTo("succeeded"));

        // K040 is missing and one row has an empty key: it may have been K040's row.
        var v2 = await _h.PushAsync(id, Csv(1, 39) + ",77\n");
        Assert.Multiple(() =>
        {
            Assert.That(IngestionHarness.Status(v2), Is.EqualTo("held"), v2.ToJsonString());
            Assert.That(v2["error"]!.GetValue<string>(), Does.Contain("no readable key").And.Contain("cannot be proven deliberate"));
            Assert.That(IngestionHarness.Count(v2, "deleted"), Is.EqualTo(1), "what it would delete");
            Assert.That(v2["publishedVersion"], Is.Null);
        });
        Assert.That(await AmountsAsync(_h, id), Has.Count.EqualTo(40));
        Assert.That(await VersionsAsync(_h, id), Is.EqualTo(new[] { 1 }));
    }
}
