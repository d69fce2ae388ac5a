using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Npgsql;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Ingestion;

/// <summary>
/// Issue 8, item 1: a worker process SIGKILLed at a known point of a run — while it fetches the
/// payload, and inside the publish transaction — and another worker completing the run with exactly
/// one published version, every row once, and nothing left behind. (<see cref="WorkerCrashTests"/>
/// kills one while it validates and stages.) The API runs in the test host without a Hangfire server.
/// </summary>
[TestFixture, Category("Fault")]
public sealed class WorkerKillPointTests
{
    const int Rows = 5000;
    static readonly JsonObject Schema = JsonNode.Parse("""
        {"type":"object","required":["id","name"],"additionalProperties":false,
         "properties":{"id":{"type":"integer"},"name":{"type":"string"}}}
        """)!.AsObject();

    IngestionHarness _h = null!;
    string _work = null!;
    Dictionary<string, string> _workerSettings = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _h = await IngestionHarness.StartAsync("ingest_kill_points", new Dictionary<string, string?> { ["Server:Role"] = "api", ["Hangfire:InvisibilityTimeout"] = "00:00:05" });
        await _h.Admin.SendAsync(HttpMethod.Put, "/api/v1/feed-hosts", new { hosts = new[] { "127.0.0.1" } });
        _work = Directory.CreateTempSubdirectory("dx-work-").FullName;
        _workerSettings = new()
        {
            ["Hangfire:InvisibilityTimeout"] = "00:00:05",
            ["Feeds:WorkDirectory"] = _work,
            ["Ingestion:RetryDelays:0"] = "00:00:01",
            ["Ingestion:RetryDelays:1"] = "00:00:01",
            ["Ingestion:RetryDelays:2"] = "00:00:01",
            ["Logging:LogLevel:Default"] = "Warning",
        };
    }

    [OneTimeTearDown]
    public void Stop()
    {
        _h.Dispose();
        Directory.Delete(_work, recursive: true);
    }

    static string Csv(int rows)
    {
        var sb = new StringBuilder("id,name\n");
        for (var i = 1; i <= rows; i++) sb.Append(CultureInfo.InvariantCulture, $"{i},name {i}\n");
        return sb.ToString();
    }

    [Test]
    public async Task WorkerKilledWhileFetching_AnotherWorkerFetchesAgain_AndPublishesOneWholeVersion()
    {
        await using var server = await TinyHttpServer.StartAsync();
        server.Body = Csv(Rows);
        server.Fault = SourceFault.HangMidBody;
        var id = await _h.RegisterAsync("kill-fetch", ["id"], Schema, new { source = server.Url + "feed.csv", format = "csv", cron = "0 4 * * *" });

        using var first = WorkerProcess.Start(_h.ConnectionString, _h.Factory.DropRoot, _workerSettings);
        var runId = await QueueAsync(id);
        // The source has sent the headers and half the body and now waits: the worker is inside the fetch.
        await server.Faulted.WaitAsync(TimeSpan.FromSeconds(90));
        var atKill = await _h.Steward.GetAsync($"/api/v1/datasets/{id}/runs/{runId}");
        Assert.That(IngestionHarness.Status(atKill), Is.EqualTo("running"), first.Output);
        Assert.That(atKill["payloadSha256"], Is.Null, "the payload is not complete yet");
        await WaitForSpoolAsync(first);
        first.Kill();

        server.Fault = SourceFault.None;
        using var second = WorkerProcess.Start(_h.ConnectionString, _h.Factory.DropRoot, _workerSettings);
        await AssertCompletedOnceAsync(id, runId, second);
        Assert.That(server.Requests, Is.EqualTo(2), "fetched once by each worker");
        Assert.That(SpoolsOf(first.ProcessId), Is.Empty, "the killed worker's half payload was removed");
    }

    [Test]
    public async Task WorkerKilledInsideThePublishTransaction_LeavesNoRows_AndAnotherWorkerPublishesOneVersion()
    {
        await File.WriteAllTextAsync(_h.Factory.DropFile(IngestionHarness.Agency, "publish.csv"), Csv(Rows));
        var id = await _h.RegisterAsync("kill-publish", ["id"], Schema, new { source = $"file:{IngestionHarness.Agency}/publish.csv", format = "csv", cron = "0 4 * * *" });

        // Publishing inserts the version row last, after closing and inserting the records. A SHARE lock
        // on dx.dataset_versions lets everything before it through and stops the publish right there.
        await using var blocker = new NpgsqlConnection(_h.ConnectionString);
        await blocker.OpenAsync();
        var hold = await blocker.BeginTransactionAsync();
        await using (var cmd = new NpgsqlCommand("lock table dx.dataset_versions in share mode", blocker, hold)) await cmd.ExecuteNonQueryAsync();

        using var first = WorkerProcess.Start(_h.ConnectionString, _h.Factory.DropRoot, _workerSettings);
        var runId = await QueueAsync(id);
        var backend = await WaitForBlockedPublishAsync(first);
        Assert.Multiple(async () =>
        {
            Assert.That(await FaultProbe.ScalarAsync(_h.ConnectionString,
                "select count(*) from pg_locks where pid = $1 and relation = 'dx.records'::regclass and mode = 'RowExclusiveLock' and granted", backend),
                Is.EqualTo(1), "the records are written, uncommitted, in the open publish transaction");
            Assert.That(await FaultProbe.ScalarAsync(_h.ConnectionString,
                "select count(*) from pg_stat_activity where pid = $1 and state = 'active' and xact_start is not null", backend), Is.EqualTo(1));
        });
        first.Kill();

        // The killed worker's backend still waits on the lock, holding the dataset's advisory lock: the
        // job, handed to the second worker, must wait for it instead of ending the run as 'skipped'.
        using var second = WorkerProcess.Start(_h.ConnectionString, _h.Factory.DropRoot, _workerSettings);
        var deferred = await WaitForErrorAsync(id, runId, "Retrying after: An interrupted attempt of this run still holds the dataset's lock", second);
        Assert.That(IngestionHarness.Status(deferred), Is.EqualTo("running"), deferred.ToJsonString());
        Assert.Multiple(async () =>
        {
            Assert.That(await FaultProbe.VersionsAsync(_h.ConnectionString, id), Is.EqualTo(0), "the killed publish is not visible");
            Assert.That(await FaultProbe.ScalarAsync(_h.ConnectionString, "select count(*) from dx.records where dataset_id = $1", id), Is.EqualTo(0), "no partial rows");
        });

        // Released, the dead backend finds its client gone and ends; its transaction never committed.
        await hold.RollbackAsync();
        await WaitForBackendToEndAsync(backend);
        await AssertCompletedOnceAsync(id, runId, second);
        Assert.That(SpoolsOf(first.ProcessId), Is.Empty, "the killed worker's payload was removed");
    }

    async Task<string> QueueAsync(string id) =>
        (await _h.Steward.PostAsync($"/api/v1/datasets/{id}/runs", null, HttpStatusCode.Accepted))["id"]!.GetValue<string>();

    string[] SpoolsOf(int pid) => Directory.GetFiles(_work, $"payload-*-{pid}-*");

    /// <summary>Waits until the worker has created its spool file (it does once the response headers are in).</summary>
    async Task WaitForSpoolAsync(WorkerProcess worker)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (SpoolsOf(worker.ProcessId).Length == 0)
        {
            if (DateTime.UtcNow > deadline) Assert.Fail("The worker never spooled the body.\n" + worker.Output);
            await Task.Delay(20);
        }
    }

    /// <summary>The backend pid of the worker's publish, once it waits for the test's lock to insert the version row.</summary>
    async Task<int> WaitForBlockedPublishAsync(WorkerProcess worker)
    {
        const string sql = """
            select coalesce(max(pid), 0) from pg_stat_activity
            where datname = current_database() and wait_event_type = 'Lock' and query like '%insert into dx.dataset_versions%'
            """;
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            var pid = (int)await FaultProbe.ScalarAsync(_h.ConnectionString, sql);
            if (pid != 0) return pid;
            if (DateTime.UtcNow > deadline) Assert.Fail("The publish never reached the version insert.\n" + worker.Output);
            await Task.Delay(50);
        }
    }

    async Task<JsonNode> WaitForErrorAsync(string id, string runId, string error, WorkerProcess worker)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var run = await _h.Steward.GetAsync($"/api/v1/datasets/{id}/runs/{runId}");
            if (run["error"]?.GetValue<string>() is { } e && e.StartsWith(error, StringComparison.Ordinal)) return run;
            if (DateTime.UtcNow > deadline) Assert.Fail($"The run never said '{error}': {run.ToJsonString()}\n{worker.Output}");
            await Task.Delay(50);
        }
    }

    /// <summary>PostgreSQL ends a dead client's backend at its next exchange with it; its transaction is then rolled back.</summary>
    async Task WaitForBackendToEndAsync(int pid)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await FaultProbe.ScalarAsync(_h.ConnectionString, "select count(*) from pg_stat_activity where pid = $1", pid) > 0)
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"Backend {pid} of the killed worker is still there.");
            await Task.Delay(50);
        }
    }

    async Task AssertCompletedOnceAsync(string id, string runId, WorkerProcess survivor)
    {
        var run = await _h.Steward.WaitForRunAsync(id, runId, TimeSpan.FromMinutes(2));
        var cs = _h.ConnectionString;
        Assert.Multiple(async () =>
        {
            Assert.That(IngestionHarness.Status(run), Is.EqualTo("succeeded"), run.ToJsonString() + "\n" + survivor.Output);
            Assert.That(IngestionHarness.Count(run, "inserted"), Is.EqualTo(Rows));
            Assert.That(run["publishedVersion"]!.GetValue<int>(), Is.EqualTo(1));
            Assert.That(await FaultProbe.VersionsAsync(cs, id), Is.EqualTo(1), "exactly one published version");
            Assert.That(await FaultProbe.ScalarAsync(cs, "select count(*) from dx.records where dataset_id = $1", id), Is.EqualTo(Rows), "every row once");
            Assert.That(await FaultProbe.OrphanRowsAsync(cs, id), Is.EqualTo(0), "no row outside a published version");
            Assert.That(await FaultProbe.ScalarAsync(cs, "select count(*) from dx.rejected_records where run_id = $1", long.Parse(runId, CultureInfo.InvariantCulture)), Is.EqualTo(0));
            Assert.That(await FaultProbe.AttemptsAsync(cs, id, runId), Is.EqualTo(2), "started on the killed worker, then on the survivor");
            Assert.That(await FaultProbe.ScalarAsync(cs, "select count(*) from dx.audit_log where dataset_id = $1 and action = 'version-published'", id), Is.EqualTo(1));
        });
    }
}
