using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using DataExchange.IntegrationTests.Ingestion;
using Npgsql;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Faults;

/// <summary>
/// Issue 13, item 15: "run now" and uploads commit the run row, then hand it to Hangfire. A crash or a storage
/// failure between the two left the run 'queued' forever; the recovery sweep now finds queued runs with no
/// live job (older than Ingestion:RecoverAfter, here 2 s), hands them to a new job and audits run-recovered.
/// </summary>
[TestFixture, Category("Fault")]
public sealed class RunRecoveryTests
{
    static readonly JsonObject Schema = JsonNode.Parse("""
        {"type":"object","required":["id","v"],"properties":{"id":{"type":"integer"},"v":{"type":"string"}}}
        """)!.AsObject();

    IngestionHarness _h = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _h = await IngestionHarness.StartAsync("runs_recovery", new Dictionary<string, string?>
    {
        ["Ingestion:RecoverAfter"] = "00:00:02",
        ["Ingestion:RecoverInterval"] = "00:00:01",
    });

    [OneTimeTearDown]
    public void Stop() => _h.Dispose();

    static string Csv(string v, int rows)
    {
        var sb = new StringBuilder("id,v\n");
        for (var i = 1; i <= rows; i++) sb.Append(CultureInfo.InvariantCulture, $"{i},{v}\n");
        return sb.ToString();
    }

    [Test]
    public async Task RunCommittedButNeverEnqueued_IsRecovered_AndPublishes()
    {
        await File.WriteAllTextAsync(_h.Factory.DropFile(IngestionHarness.Agency, "lost.csv"), Csv("lost", 7));
        var id = await _h.RegisterAsync("lost-enqueue", ["id"], Schema, new { source = $"file:{IngestionHarness.Agency}/lost.csv", format = "csv", cron = "0 2 * * *" });

        // What "run now" commits before it enqueues, as left by a process that died right after the commit.
        var runId = (await FaultProbe.ScalarAsync(_h.ConnectionString, """
            insert into dx.ingestion_runs (dataset_id, trigger, status, schema_version, queued_at)
            values ($1, 'manual', 'queued', 1, now()) returning id
            """, id)).ToString(CultureInfo.InvariantCulture);

        var run = await _h.Steward.WaitForRunAsync(id, runId, TimeSpan.FromSeconds(90));
        await AssertPublishedAsync(id, runId, run, "lost", 7);
    }

    [Test]
    public async Task UploadWhileHangfireStorageFails_IsAccepted_AndRecoveredOnceItIsBack()
    {
        var id = await _h.RegisterAsync("storage-down", ["id"], Schema, new { source = "upload", format = "csv" });

        // Hangfire's job table gone: the upload commits its run and payload, then the enqueue fails.
        await using var conn = new NpgsqlConnection(_h.ConnectionString);
        await conn.OpenAsync();
        await using (var cmd = new NpgsqlCommand("alter table hangfire.job rename to job_unavailable", conn)) await cmd.ExecuteNonQueryAsync();
        string runId;
        try
        {
            runId = await _h.UploadAsync(id, Csv("pushed", 12));
            await Task.Delay(TimeSpan.FromSeconds(3)); // past RecoverAfter: the sweep tries, and fails, to enqueue it too
            Assert.That(IngestionHarness.Status(await _h.Steward.GetAsync($"/api/v1/datasets/{id}/runs/{runId}")), Is.EqualTo("queued"));
        }
        finally
        {
            await using var back = new NpgsqlCommand("alter table hangfire.job_unavailable rename to job", conn);
            await back.ExecuteNonQueryAsync();
        }

        var run = await _h.Steward.WaitForRunAsync(id, runId, TimeSpan.FromSeconds(90));
        await AssertPublishedAsync(id, runId, run, "pushed", 12);
    }

    async Task AssertPublishedAsync(string id, string runId, JsonNode run, string value, int rows)
    {
        var records = await _h.RecordsAsync(id);
        var recovered = await FaultProbe.ScalarAsync(_h.ConnectionString,
            "select count(*) from dx.audit_log where target = $1 and action = 'run-recovered'", $"{id}/runs/{runId}");
        Assert.Multiple(() =>
        {
            Assert.That((IngestionHarness.Status(run), run["publishedVersion"]?.GetValue<int>()), Is.EqualTo(("succeeded", (int?)1)), run.ToJsonString());
            Assert.That(records.Select(r => r["v"]!.GetValue<string>()), Is.EqualTo(Enumerable.Repeat(value, rows)));
            Assert.That(recovered, Is.EqualTo(1), "the hand-over to a new job is audited once");
        });
    }
}
