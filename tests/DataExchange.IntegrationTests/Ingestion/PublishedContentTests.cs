using System.Text.Json.Nodes;
using DataExchange.Core.Ingestion;
using Npgsql;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Ingestion;

/// <summary>
/// Issue 4, item 5: a record whose canonical hash is already published under the same schema
/// version skips the evaluator; a probable match that is not exact is validated after all.
/// </summary>
[TestFixture]
public sealed class PublishedContentTests
{
    IngestionHarness _h = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _h = await IngestionHarness.StartAsync("ingest_known");

    [OneTimeTearDown]
    public void Stop() => _h.Dispose();

    static JsonObject Schema() => JsonNode.Parse("""
        {"type":"object","required":["code","name"],"additionalProperties":false,
         "properties":{"code":{"type":"string"},"name":{"type":"string","maxLength":5}}}
        """)!.AsObject();

    [Test]
    public async Task PublishedRecords_AreRecognised_AndOnlyNewContentIsWritten()
    {
        var id = await _h.RegisterAsync("known", ["code"], Schema(), new { source = "upload", format = "csv" });
        var first = await _h.PushAsync(id, "code,name\nA,one\nB,two\nC,three\n");
        var second = await _h.PushAsync(id, "code,name\nC,three\nA,one\nB,deux\nD,four\n");
        Assert.Multiple(() =>
        {
            Assert.That(IngestionHarness.Count(first, "inserted"), Is.EqualTo(3), first.ToJsonString());
            Assert.That(IngestionHarness.Count(second, "unchanged"), Is.EqualTo(2), second.ToJsonString());
            Assert.That(IngestionHarness.Count(second, "updated"), Is.EqualTo(1));
            Assert.That(IngestionHarness.Count(second, "inserted"), Is.EqualTo(1));
            Assert.That(IngestionHarness.Count(second, "rejected"), Is.EqualTo(0));
        });
    }

    [Test]
    public async Task AProbableMatchThatIsNotPublished_IsValidatedAfterAll_AndQuarantined()
    {
        var id = await _h.RegisterAsync("falsepositive", ["code"], Schema(), new { source = "upload", format = "csv", rejectThreshold = 0.5 });
        await _h.PushAsync(id, "code,name\nA,one\nB,two\n");
        // Make the filter answer "published" for an invalid record, as a false positive would: B's
        // current row is given the hash of the invalid record's canonical content.
        var invalidHash = RecordShaper.Hash("""{"code":"C","name":"far too long"}""");
        await using (var conn = new NpgsqlConnection(_h.ConnectionString))
        {
            await conn.OpenAsync();
            // Its source row's hash goes too, or B's row would be taken for its record before any content hash (issue 14).
            await using var cmd = new NpgsqlCommand("update dx.records set hash = $1, raw_hash = null where dataset_id = $2 and key = 'B' and valid_to is null", conn)
            { Parameters = { new() { Value = invalidHash }, new() { Value = id } } };
            Assert.That(await cmd.ExecuteNonQueryAsync(), Is.EqualTo(1));
        }

        var run = await _h.PushAsync(id, "code,name\nA,one\nB,two\nC,far too long\n");
        var rejects = await _h.Steward.GetAsync($"/api/v1/datasets/{id}/runs/{run["id"]}/rejected");
        var records = await _h.RecordsAsync(id);
        Assert.Multiple(() =>
        {
            Assert.That(IngestionHarness.Status(run), Is.EqualTo("succeeded"), run.ToJsonString());
            Assert.That(IngestionHarness.Count(run, "rejected"), Is.EqualTo(1));
            Assert.That(IngestionHarness.Count(run, "valid"), Is.EqualTo(2));
            Assert.That(IngestionHarness.Count(run, "inserted"), Is.EqualTo(0));
            Assert.That(IngestionHarness.Count(run, "updated"), Is.EqualTo(1), "B's stored hash no longer matches its content");
            Assert.That(rejects["items"]!.AsArray().Single()!["line"]!.GetValue<long>(), Is.EqualTo(4));
            Assert.That(rejects["items"]![0]!["errors"]![0]!["code"]!.GetValue<string>(), Is.EqualTo("maxLength"));
            Assert.That(records.Select(r => r["code"]!.GetValue<string>()), Is.EquivalentTo(new[] { "A", "B" }));
        });
    }

    [Test]
    public async Task AProbableMatchThatIsValid_IsPublishedWithItsContent_Issue14()
    {
        // Issue 14: a record whose hash is probably published is staged without its body; a false positive's body is read again.
        var id = await _h.RegisterAsync("validpositive", ["code"], Schema(), new { source = "upload", format = "csv" });
        await _h.PushAsync(id, "code,name\nA,one\nB,two\n");
        await SetHashAsync(id, "B", RecordShaper.Hash("""{"code":"C","name":"three"}"""));

        var run = await _h.PushAsync(id, "code,name\nA,one\nB,two\nC,three\n");
        var records = await _h.RecordsAsync(id);
        Assert.Multiple(() =>
        {
            Assert.That(IngestionHarness.Status(run), Is.EqualTo("succeeded"), run.ToJsonString());
            Assert.That(IngestionHarness.Count(run, "inserted"), Is.EqualTo(1));
            Assert.That(records.Select(r => (r["code"]!.GetValue<string>(), r["name"]!.GetValue<string>())),
                Is.EquivalentTo(new[] { ("A", "one"), ("B", "two"), ("C", "three") }));
        });
    }

    [Test]
    public async Task ConflictingCopiesOfAKey_OneOfThemPublished_AreQuarantinedWithTheirContent_Issue14()
    {
        var id = await _h.RegisterAsync("conflictpublished", ["code"], Schema(), new { source = "upload", format = "csv", rejectThreshold = 0.9 });
        await _h.PushAsync(id, "code,name\nA,one\nB,two\n");
        // A,one is published (staged without its body), A,uno conflicts with it: both copies are quarantined.
        var run = await _h.PushAsync(id, "code,name\nA,one\nB,two\nA,uno\n");
        var rejects = await _h.Steward.GetAsync($"/api/v1/datasets/{id}/runs/{run["id"]}/rejected");
        Assert.Multiple(() =>
        {
            Assert.That(IngestionHarness.Count(run, "rejected"), Is.EqualTo(2), run.ToJsonString());
            Assert.That(rejects["items"]!.AsArray().Select(r => JsonNode.Parse(r!["raw"]!.GetValue<string>())!["name"]!.GetValue<string>()),
                Is.EqualTo(new[] { "one", "uno" }));
        });
    }

    async Task SetHashAsync(string id, string key, byte[] hash)
    {
        await using var conn = new NpgsqlConnection(_h.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("update dx.records set hash = $1, raw_hash = null where dataset_id = $2 and key = $3 and valid_to is null", conn)
        { Parameters = { new() { Value = hash }, new() { Value = id }, new() { Value = key } } };
        Assert.That(await cmd.ExecuteNonQueryAsync(), Is.EqualTo(1));
    }

    [Test]
    public async Task ADatasetWhoseRowsWereAllDeleted_LoadsAgainFromEmpty_KeepingItsHistory()
    {
        // maxDeleteShare 1: deleting every record is the point here, not a run to hold for a steward (issue 12).
        var id = await _h.RegisterAsync("emptied", ["code"], Schema(), new { source = "upload", format = "csv", mode = "incremental", deleteMarker = "gone", maxDeleteShare = 1.0 });
        await _h.PushAsync(id, "code,name,gone\nA,one,\nB,two,\n");
        var emptied = await _h.PushAsync(id, "code,name,gone\nA,,true\nB,,true\n");
        var again = await _h.PushAsync(id, "code,name,gone\nA,uno,\n");
        var records = await _h.RecordsAsync(id);
        var versions = await _h.Steward.GetAsync($"/api/v1/datasets/{id}/versions");
        Assert.Multiple(() =>
        {
            Assert.That(IngestionHarness.Count(emptied, "deleted"), Is.EqualTo(2), emptied.ToJsonString());
            Assert.That(IngestionHarness.Status(again), Is.EqualTo("succeeded"), again.ToJsonString());
            Assert.That(IngestionHarness.Count(again, "inserted"), Is.EqualTo(1));
            Assert.That(records.Select(r => r["name"]!.GetValue<string>()), Is.EqualTo(new[] { "uno" }));
            Assert.That(versions["items"]!.AsArray(), Has.Count.EqualTo(3));
        });
    }
}
