using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using DataExchange.IntegrationTests.Ingestion;
using Npgsql;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Faults;

/// <summary>
/// Issue 13, item 14: a run accepted (202) while another run of its dataset is running waits for it
/// (audited run-deferred) and is handed over when it ends, oldest first; before, it ended 'skipped' and
/// its payload was never published.
/// </summary>
[TestFixture, Category("Fault")]
public sealed class RunHandOverTests
{
    static readonly JsonObject Schema = JsonNode.Parse("""
        {"type":"object","required":["id","v"],"properties":{"id":{"type":"integer"},"v":{"type":"string"}}}
        """)!.AsObject();

    IngestionHarness _h = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _h = await IngestionHarness.StartAsync("runs_handover");

    [OneTimeTearDown]
    public void Stop() => _h.Dispose();

    static string Csv(string v, int rows)
    {
        var sb = new StringBuilder("id,v\n");
        for (var i = 1; i <= rows; i++) sb.Append(CultureInfo.InvariantCulture, $"{i},{v}\n");
        return sb.ToString();
    }

    [Test]
    public async Task UploadsAcceptedWhileARunIsRunning_WaitForIt_AndArePublishedInOrder()
    {
        var id = await _h.RegisterAsync("queued-uploads", ["id"], Schema, new { source = "upload", format = "csv" });

        // A SHARE lock on dx.records stops the first run inside its publish transaction, at the write of its rows
        // (a statement without a timeout: a first load's COPY into dx.records, a later run's insert), running and
        // holding its dataset's lock.
        await using var blocker = new NpgsqlConnection(_h.ConnectionString);
        await blocker.OpenAsync();
        var hold = await blocker.BeginTransactionAsync();
        await using (var cmd = new NpgsqlCommand("lock table dx.records in share mode", blocker, hold)) await cmd.ExecuteNonQueryAsync();

        var first = await _h.UploadAsync(id, Csv("first", 30));
        await WaitForPublishToBlockAsync();
        var second = await _h.UploadAsync(id, Csv("second", 30));
        await WaitForAuditAsync(id, second, "run-deferred");
        var third = await _h.UploadAsync(id, Csv("third", 30));
        await WaitForAuditAsync(id, third, "run-deferred");
        Assert.Multiple(async () =>
        {
            Assert.That(IngestionHarness.Status(await RunAsync(id, first)), Is.EqualTo("running"));
            Assert.That(IngestionHarness.Status(await RunAsync(id, second)), Is.EqualTo("queued"), "accepted, waiting behind the running run");
            Assert.That(IngestionHarness.Status(await RunAsync(id, third)), Is.EqualTo("queued"));
        });

        await hold.RollbackAsync();
        var runs = new[] { first, second, third };
        var done = new List<JsonNode>();
        foreach (var run in runs) done.Add(await _h.Steward.WaitForRunAsync(id, run, TimeSpan.FromMinutes(2)));
        Assert.Multiple(async () =>
        {
            Assert.That(done.Select(IngestionHarness.Status), Is.EqualTo(new[] { "succeeded", "succeeded", "succeeded" }), string.Join("\n", done));
            Assert.That(done.Select(r => r["publishedVersion"]?.GetValue<int>()), Is.EqualTo(new int?[] { 1, 2, 3 }), "published in the order they were accepted");
            Assert.That(done.Select(r => r["startedAt"]!.GetValue<DateTimeOffset>()), Is.Ordered, "each started after the one before");
            var records = await _h.RecordsAsync(id);
            Assert.That(records.Select(r => r["v"]!.GetValue<string>()).Distinct(), Is.EqualTo(new[] { "third" }), "the last accepted payload is what is served");
            Assert.That(records, Has.Count.EqualTo(30));
            var versions = (await _h.Steward.GetAsync($"/api/v1/datasets/{id}/versions"))["items"]!.AsArray();
            Assert.That(versions.Select(v => v!["runId"]!.GetValue<string>()).Reverse(), Is.EqualTo(runs));
        });
    }

    [Test]
    public async Task RunNowWhileAnotherProcessHoldsTheDataset_Waits_AndRunsOnceItIsFree()
    {
        await File.WriteAllTextAsync(_h.Factory.DropFile(IngestionHarness.Agency, "held.csv"), Csv("file", 5));
        var id = await _h.RegisterAsync("run-now-waits", ["id"], Schema, new { source = $"file:{IngestionHarness.Agency}/held.csv", format = "csv", cron = "0 2 * * *" });
        // Another worker's run of the dataset: its session lock (same key as the runner's).
        await using var conn = new NpgsqlConnection(_h.ConnectionString);
        await conn.OpenAsync();
        var key = BitConverter.ToInt64(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes("ingest:" + id)));
        await using (var cmd = new NpgsqlCommand("select pg_advisory_lock($1)", conn) { Parameters = { new() { Value = key } } }) await cmd.ExecuteNonQueryAsync();

        var runId = (await _h.Steward.PostAsync($"/api/v1/datasets/{id}/runs", null, HttpStatusCode.Accepted))["id"]!.GetValue<string>();
        await WaitForAuditAsync(id, runId, "run-deferred");
        Assert.That(IngestionHarness.Status(await RunAsync(id, runId)), Is.EqualTo("queued"));

        // That worker's run ends (it was no runner, so nothing hands over). The next trigger finds the earlier
        // run waiting and hands over to it first, then runs itself.
        await using (var cmd = new NpgsqlCommand("select pg_advisory_unlock($1)", conn) { Parameters = { new() { Value = key } } }) await cmd.ExecuteNonQueryAsync();
        var other = await _h.Steward.PostAsync($"/api/v1/datasets/{id}/runs", null, HttpStatusCode.Accepted);
        var run = await _h.Steward.WaitForRunAsync(id, runId, TimeSpan.FromMinutes(2));
        var next = await _h.Steward.WaitForRunAsync(id, other["id"]!.GetValue<string>(), TimeSpan.FromMinutes(2));
        Assert.Multiple(() =>
        {
            Assert.That((IngestionHarness.Status(run), run["publishedVersion"]?.GetValue<int>()), Is.EqualTo(("succeeded", (int?)1)), run.ToJsonString());
            Assert.That(IngestionHarness.Status(next), Is.EqualTo("unchanged"), "the later run waited for the earlier one, then found the same payload");
        });
    }

    Task<JsonNode> RunAsync(string id, string runId) => _h.Steward.GetAsync($"/api/v1/datasets/{id}/runs/{runId}");

    async Task WaitForPublishToBlockAsync()
    {
        const string sql = """
            select count(*) from pg_stat_activity
            where datname = current_database() and wait_event_type = 'Lock'
              and (query like '%insert into dx.records%' or query like 'copy dx.records%')
            """;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (await FaultProbe.ScalarAsync(_h.ConnectionString, sql) == 0)
        {
            if (DateTime.UtcNow > deadline) Assert.Fail("The first run never reached the insert of its rows.");
            await Task.Delay(50);
        }
    }

    async Task WaitForAuditAsync(string id, string runId, string action)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (await FaultProbe.ScalarAsync(_h.ConnectionString, "select count(*) from dx.audit_log where target = $1 and action = $2", $"{id}/runs/{runId}", action) == 0)
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"Run {runId} was never audited {action}: {(await RunAsync(id, runId)).ToJsonString()}");
            await Task.Delay(50);
        }
    }
}
