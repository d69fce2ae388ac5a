using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using DataExchange.Core.Hosting;
using DataExchange.Core.Ingestion;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Ingestion;

/// <summary>
/// Issue 12, lossless record model: numbers reach the consumer exactly as PostgreSQL numeric holds the
/// value written (no double, no decimal on the way), values jsonb cannot hold are quarantined while the
/// run goes on, and stored rows are re-hashed under the canonical form at start-up.
/// </summary>
[TestFixture]
public sealed class LosslessRecordTests
{
    IngestionHarness _h = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _h = await IngestionHarness.StartAsync("ingest_lossless");

    [OneTimeTearDown]
    public void Stop() => _h.Dispose();

    static JsonObject Schema() => JsonNode.Parse("""
        {"type":"object","required":["id","n"],
         "properties":{"id":{"type":"string"},"n":{"type":"number","exclusiveMinimum":0}},
         "additionalProperties":{"type":["number","string"]}}
        """)!.AsObject();

    async Task<JsonNode> PushNdjsonAsync(string id, string payload)
    {
        var (status, body, _) = await _h.Steward.SendAsync(HttpMethod.Post, $"/api/v1/datasets/{id}/uploads",
            content: new StringContent(payload, Encoding.UTF8, "application/x-ndjson"));
        Assert.That(status, Is.EqualTo(HttpStatusCode.Accepted), body?.ToJsonString());
        return await _h.Steward.WaitForRunAsync(id, body!["id"]!.GetValue<string>(), TimeSpan.FromMinutes(2));
    }

    [Test]
    public async Task Numbers_AreServedAsTheExactValueWritten()
    {
        var id = await _h.RegisterAsync("numbers", ["id"], Schema(), new { source = "upload", format = "ndjson", rejectThreshold = 0.5 });
        var run = await PushNdjsonAsync(id, string.Join('\n',
            """{"id":"tiny","n":1e-30}""",
            """{"id":"long","n":0.30000000000000000000000000001}""",
            """{"id":"wide","n":12345678901234567890.123456789012345}""",
            """{"id":"huge","n":1e400}""",
            """{"id":"zero","n":131,"z":-0.0}""",
            """{"id":"far","n":1e131072}""",
            """{"id":"lone","n":1,"s":"\ud800"}""",
            $$"""{"id":"{{new string('k', 1025)}}","n":1}""") + "\n");
        var records = (await _h.RecordsAsync(id)).ToDictionary(r => r["id"]!.GetValue<string>());
        var rejects = (await _h.Steward.GetAsync($"/api/v1/datasets/{id}/runs/{run["id"]}/rejected"))["items"]!.AsArray();
        Assert.Multiple(() =>
        {
            Assert.That(IngestionHarness.Status(run), Is.EqualTo("succeeded"), run.ToJsonString());
            Assert.That(records["tiny"]["n"]!.ToJsonString(), Is.EqualTo("0.000000000000000000000000000001"));
            Assert.That(records["long"]["n"]!.ToJsonString(), Is.EqualTo("0.30000000000000000000000000001"));
            Assert.That(records["wide"]["n"]!.ToJsonString(), Is.EqualTo("12345678901234567890.123456789012345"));
            Assert.That(records["huge"]["n"]!.ToJsonString(), Is.EqualTo("1" + new string('0', 400)));
            Assert.That(records["zero"]["n"]!.ToJsonString(), Is.EqualTo("131"));
            Assert.That(records["zero"]["z"]!.ToJsonString(), Is.EqualTo("0.0"));
            Assert.That(records, Has.Count.EqualTo(5));
            Assert.That(rejects.Select(r => r!["errors"]![0]!["code"]!.GetValue<string>()), Is.EquivalentTo(new[] { "number-out-of-range", "invalid-unicode", "key-too-long" }));
        });
    }

    [Test]
    public async Task StoredRows_AreReHashedUnderTheCanonicalForm_AtStartUp()
    {
        var id = await _h.RegisterAsync("rehash", ["id"], Schema(), new { source = "upload", format = "ndjson" });
        var first = await PushNdjsonAsync(id, "{\"id\":\"a\",\"n\":1.50e1,\"s\":\"\u2028\"}\n{\"id\":\"b\",\"n\":2}\n");
        Assert.That(IngestionHarness.Count(first, "inserted"), Is.EqualTo(2), first.ToJsonString());
        await using var conn = new NpgsqlConnection(_h.ConnectionString);
        await conn.OpenAsync();
        // As a row written before the canonical form would be: a hash of some other text, and the step not yet done.
        await using (var stale = new NpgsqlCommand("update dx.records set hash = '\\x00' where dataset_id = $1", conn) { Parameters = { new() { Value = id } } })
            await stale.ExecuteNonQueryAsync();
        await using (var undone = new NpgsqlCommand("delete from dx.maintenance_steps", conn))
            await undone.ExecuteNonQueryAsync();

        await _h.Factory.Services.GetRequiredService<Migrator>().MigrateAsync();

        await using var read = new NpgsqlCommand("select data::text, hash from dx.records where dataset_id = $1 order by key", conn) { Parameters = { new() { Value = id } } };
        await using var r = await read.ExecuteReaderAsync();
        var rows = new List<(string Data, byte[] Hash)>();
        while (await r.ReadAsync()) rows.Add((r.GetString(0), (byte[])r[1]));
        Assert.That(rows, Has.Count.EqualTo(2));
        Assert.That(rows[0].Data, Does.Contain("15.0"));
        Assert.That(rows[0].Hash, Is.EqualTo(RecordShaper.Hash("{\"id\":\"a\",\"n\":15.0,\"s\":\"\u2028\"}")));
        Assert.That(rows[1].Hash, Is.EqualTo(RecordShaper.Hash("""{"id":"b","n":2}""")));
        var again = await PushNdjsonAsync(id, "{\"n\":15.0,\"id\":\"a\",\"s\":\"\u2028\"}\n{\"id\":\"b\",\"n\":2}\n");
        Assert.That(IngestionHarness.Status(again), Is.EqualTo("unchanged").Or.EqualTo("succeeded"));
        Assert.That(IngestionHarness.Count(again, "unchanged"), Is.EqualTo(2), again.ToJsonString());
    }
}
