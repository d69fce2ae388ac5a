using System.Net;
using NUnit.Framework;
using static DataExchange.IntegrationTests.Ingestion.DeletionTestData;

namespace DataExchange.IntegrationTests.Ingestion;

/// <summary>Issue 12: a run that would delete more than the feed's maxDeleteShare is held until a steward releases or discards it.</summary>
[TestFixture]
public sealed class HeldRunTests
{
    IngestionHarness _h = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _h = await IngestionHarness.StartAsync("ingest_held");

    [OneTimeTearDown]
    public void Stop() => _h.Dispose();

    /// <summary>v1: K001–K100. The held payload: K001–K050 with K001–K005 changed, plus K101–K110 (delete 50, update 5, insert 10).</summary>
    static string HalfMissing() => Csv(1, 50, i => i <= 5 ? "500" : null) + Csv(101, 110).Split('\n', 2)[1];

    async Task<(string Id, string RunId)> HeldAsync(string name)
    {
        var id = await _h.RegisterAsync(name, ["code"], Schema(), new { source = "upload", format = "csv" });
        var v1 = await _h.PushAsync(id, Csv(1, 100));
        Assert.That(IngestionHarness.Status(v1), Is.EqualTo("succeeded"), "a first load is never held");
        var held = await _h.PushAsync(id, HalfMissing());
        Assert.Multiple(() =>
        {
            Assert.That(IngestionHarness.Status(held), Is.EqualTo("held"), held.ToJsonString());
            Assert.That(held["error"]!.GetValue<string>(), Does.Contain("50 of 100").And.Contain("maxDeleteShare"));
            Assert.That(held["publishedVersion"], Is.Null);
            Assert.That(IngestionHarness.Count(held, "deleted"), Is.EqualTo(50));
            Assert.That(IngestionHarness.Count(held, "updated"), Is.EqualTo(5));
            Assert.That(IngestionHarness.Count(held, "inserted"), Is.EqualTo(10));
        });
        return (id, held["id"]!.GetValue<string>());
    }

    async Task AssertStillVersion1Async(string id)
    {
        var amounts = await AmountsAsync(_h, id);
        Assert.That(amounts.Keys, Is.EquivalentTo(Enumerable.Range(1, 100).Select(Key)));
        Assert.That(amounts[Key(1)], Is.EqualTo(1));
        Assert.That(await VersionsAsync(_h, id), Is.EqualTo(new[] { 1 }));
        Assert.That(await ChangesAsync(_h, id, 1), Is.Empty);
    }

    [Test]
    public async Task HalfTheKeysMissing_HoldsTheRun_AndReleasePublishesExactlyTheStagedDiff()
    {
        var (id, runId) = await HeldAsync("release");
        await AssertStillVersion1Async(id);

        // The same bytes again (the next schedule tick) do not pile up another held run.
        var again = await _h.PushAsync(id, HalfMissing());
        Assert.That(IngestionHarness.Status(again), Is.EqualTo("skipped"), again.ToJsonString());
        Assert.That(again["error"]!.GetValue<string>(), Does.Contain($"held in run {runId}"));

        var released = await _h.Steward.PostAsync($"/api/v1/datasets/{id}/runs/{runId}/release", null, HttpStatusCode.OK);
        Assert.Multiple(() =>
        {
            Assert.That(IngestionHarness.Status(released), Is.EqualTo("succeeded"), released.ToJsonString());
            Assert.That(released["publishedVersion"]!.GetValue<int>(), Is.EqualTo(2));
        });
        var amounts = await AmountsAsync(_h, id);
        Assert.That(amounts.Keys, Is.EquivalentTo(Enumerable.Range(1, 50).Concat(Enumerable.Range(101, 10)).Select(Key)));
        Assert.That(amounts[Key(1)], Is.EqualTo(500));
        Assert.That(amounts[Key(6)], Is.EqualTo(6));
        var changes = await ChangesAsync(_h, id, 1);
        Assert.Multiple(() =>
        {
            Assert.That(changes.Where(c => c.Op == "delete").Select(c => c.Key), Is.EquivalentTo(Enumerable.Range(51, 50).Select(Key)));
            Assert.That(changes.Where(c => c.Op == "update").Select(c => c.Key), Is.EquivalentTo(Enumerable.Range(1, 5).Select(Key)));
            Assert.That(changes.Where(c => c.Op == "insert").Select(c => c.Key), Is.EquivalentTo(Enumerable.Range(101, 10).Select(Key)));
        });
        var version = (await _h.Steward.GetAsync($"/api/v1/datasets/{id}/versions"))["items"]![0]!;
        Assert.That(version["counts"]!["total"]!.GetValue<long>(), Is.EqualTo(60));

        var entry = (await AuditAsync(_h, id, "run-released")).Single();
        Assert.That(entry["outcome"]!.GetValue<string>(), Is.EqualTo("succeeded"));
        Assert.That(entry["actorAgency"]!.GetValue<string>(), Is.EqualTo(IngestionHarness.Agency));
        Assert.That(await AuditAsync(_h, id, "run-held"), Has.Count.EqualTo(1));

        var (twice, problem, _) = await _h.Steward.SendAsync(HttpMethod.Post, $"/api/v1/datasets/{id}/runs/{runId}/release");
        Assert.That(twice, Is.EqualTo(HttpStatusCode.Conflict), "a released run is no longer held");
        Assert.That(problem!["type"]!.GetValue<string>(), Does.EndWith("run-not-held"));
    }

    [Test]
    public async Task Discard_PublishesNothing_AndEndsTheRunDiscarded()
    {
        var (id, runId) = await HeldAsync("discard");
        var discarded = await _h.Steward.PostAsync($"/api/v1/datasets/{id}/runs/{runId}/discard", null, HttpStatusCode.OK);
        Assert.That(IngestionHarness.Status(discarded), Is.EqualTo("discarded"), discarded.ToJsonString());
        Assert.That(IngestionHarness.Status(await _h.Steward.GetAsync($"/api/v1/datasets/{id}/runs/{runId}")), Is.EqualTo("discarded"));
        await AssertStillVersion1Async(id);
        Assert.That((await AuditAsync(_h, id, "run-discarded")).Single()["outcome"]!.GetValue<string>(), Is.EqualTo("succeeded"));

        var (status, _, _) = await _h.Steward.SendAsync(HttpMethod.Post, $"/api/v1/datasets/{id}/runs/{runId}/release");
        Assert.That(status, Is.EqualTo(HttpStatusCode.Conflict), "a discarded run cannot be released");
        await AssertStillVersion1Async(id);

        // The same bytes after a discard are read afresh (and held again), not taken as published.
        var again = await _h.PushAsync(id, HalfMissing());
        Assert.That(IngestionHarness.Status(again), Is.EqualTo("held"), again.ToJsonString());
    }

    [Test]
    public async Task Release_AfterAnotherVersionWasPublished_IsRefusedWith409_AndAudited()
    {
        var (id, runId) = await HeldAsync("stale");
        // A held run does not block later runs: this one changes one amount and is published as v2.
        var later = await _h.PushAsync(id, Csv(1, 100, i => i == 7 ? "70" : null));
        Assert.That(IngestionHarness.Status(later), Is.EqualTo("succeeded"), later.ToJsonString());

        var (status, problem, _) = await _h.Steward.SendAsync(HttpMethod.Post, $"/api/v1/datasets/{id}/runs/{runId}/release");
        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(HttpStatusCode.Conflict), problem?.ToJsonString());
            Assert.That(problem!["type"]!.GetValue<string>(), Does.EndWith("dataset-changed"));
            Assert.That(problem["detail"]!.GetValue<string>(), Does.Contain("run the feed again"));
        });
        Assert.That(await VersionsAsync(_h, id), Is.EqualTo(new[] { 2, 1 }));
        var amounts = await AmountsAsync(_h, id);
        Assert.That(amounts, Has.Count.EqualTo(100));
        Assert.That(amounts[Key(7)], Is.EqualTo(70));
        Assert.That(IngestionHarness.Status(await _h.Steward.GetAsync($"/api/v1/datasets/{id}/runs/{runId}")), Is.EqualTo("held"));

        var refusal = (await AuditAsync(_h, id, "run-released")).Single();
        Assert.That(refusal["outcome"]!.GetValue<string>(), Is.EqualTo("denied"));
        Assert.That(refusal["details"]!["problem"]!.GetValue<string>(), Is.EqualTo("dataset-changed"));
    }

    [Test]
    public async Task IncrementalDeleteMarkers_OverTheShare_HoldTheRun()
    {
        var id = await _h.RegisterAsync("incremental", ["code"], Schema(), new { source = "upload", format = "csv", mode = "incremental", deleteMarker = "gone", maxDeleteShare = 0.2 });
        Assert.That(IngestionHarness.Status(await _h.PushAsync(id, Csv(1, 20, null, "gone", _ => "false"))), Is.EqualTo("succeeded"));
        var within = await _h.PushAsync(id, Csv(1, 4, null, "gone", _ => "true"));
        Assert.That(IngestionHarness.Status(within), Is.EqualTo("succeeded"), "4 of 20 is within a share of 0.2");

        var over = await _h.PushAsync(id, Csv(5, 9, null, "gone", _ => "true"));
        Assert.Multiple(() =>
        {
            Assert.That(IngestionHarness.Status(over), Is.EqualTo("held"), over.ToJsonString());
            Assert.That(IngestionHarness.Count(over, "deleted"), Is.EqualTo(5));
        });
        Assert.That((await AmountsAsync(_h, id)).Keys, Is.EquivalentTo(Enumerable.Range(5, 16).Select(Key)));
        Assert.That(await VersionsAsync(_h, id), Is.EqualTo(new[] { 2, 1 }));
    }

    [Test]
    public async Task MaxDeleteShare_OutsideZeroToOne_IsRefused()
    {
        var (status, problem, _) = await _h.Steward.SendAsync(HttpMethod.Post, "/api/v1/datasets", new
        {
            id = $"{IngestionHarness.Agency}.badshare", title = "t", keyFields = new[] { "code" }, classification = "internal", schema = Schema(),
            feed = new { source = "upload", format = "csv", maxDeleteShare = 1.5 },
        });
        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(problem!.ToJsonString(), Does.Contain("maxDeleteShare"));
    }
}
