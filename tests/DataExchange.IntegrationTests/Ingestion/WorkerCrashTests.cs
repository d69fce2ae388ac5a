using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Npgsql;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Ingestion;

/// <summary>
/// Issue 4, item 3 and issue 8, item 1: a worker process killed (SIGKILL) while it validates and
/// stages records; another worker takes the job over after the invisibility timeout and the run still
/// publishes exactly one version. (<see cref="WorkerKillPointTests"/> kills at fetch and publish.)
/// The API runs in the test host with no Hangfire server; both workers are real separate processes.
/// </summary>
[TestFixture, Category("Fault")]
public sealed class WorkerCrashTests
{
    const int Rows = 50_000;
    static readonly Dictionary<string, string> WorkerSettings = new() { ["Hangfire:InvisibilityTimeout"] = "00:00:05", ["Logging:LogLevel:Default"] = "Warning" };

    IngestionHarness _h = null!;

    [OneTimeSetUp]
    public async Task StartAsync() =>
        _h = await IngestionHarness.StartAsync("ingest_crash", new Dictionary<string, string?> { ["Server:Role"] = "api", ["Hangfire:InvisibilityTimeout"] = "00:00:05" });

    [OneTimeTearDown]
    public void Stop() => _h.Dispose();

    [Test]
    public async Task WorkerKilledWhileValidating_AnotherWorkerFinishesIt_WithOneVersionAndNoPartialRows()
    {
        var schema = JsonNode.Parse("""
            {"type":"object","required":["id","name","amount"],"additionalProperties":false,
             "properties":{"id":{"type":"integer"},"name":{"type":"string"},"amount":{"type":"number","minimum":0}}}
            """)!.AsObject();
        await using (var w = new StreamWriter(_h.Factory.DropFile(IngestionHarness.Agency, "big.csv"), false, new UTF8Encoding(false)))
        {
            await w.WriteAsync("id,name,amount\n");
            for (var i = 1; i <= Rows; i++) await w.WriteAsync(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{i},name number {i},{i % 1000}.5\n"));
        }
        var id = await _h.RegisterAsync("crash", ["id"], schema, new { source = $"file:{IngestionHarness.Agency}/big.csv", format = "csv", cron = "0 4 * * *" });

        using var first = WorkerProcess.Start(_h.ConnectionString, _h.Factory.DropRoot, WorkerSettings);
        var queued = await _h.Steward.PostAsync($"/api/v1/datasets/{id}/runs", null, HttpStatusCode.Accepted);
        var runId = queued["id"]!.GetValue<string>();
        await WaitForStatusAsync(id, runId, "running", first);
        var staged = await WaitForStagingAsync(first);
        first.Kill();
        TestContext.Out.WriteLine($"Killed with {staged} of {Rows} records validated and staged.");

        var atKill = await _h.Steward.GetAsync($"/api/v1/datasets/{id}/runs/{runId}");
        Assert.That(atKill["status"]!.GetValue<string>(), Is.EqualTo("running"), "the kill must land mid-run; make the file bigger if this machine is faster");
        Assert.That(await ScalarAsync("select count(*) from dx.dataset_versions where dataset_id = $1", id), Is.EqualTo(0));

        using var second = WorkerProcess.Start(_h.ConnectionString, _h.Factory.DropRoot, WorkerSettings);
        var run = await _h.Steward.WaitForRunAsync(id, runId, TimeSpan.FromMinutes(3));
        await Assert.MultipleAsync(async () =>
        {
            Assert.That(run["status"]!.GetValue<string>(), Is.EqualTo("succeeded"), run.ToJsonString() + "\n" + second.Output);
            Assert.That(run["counts"]!["inserted"]!.GetValue<long>(), Is.EqualTo(Rows));
            Assert.That(await ScalarAsync("select count(*) from dx.dataset_versions where dataset_id = $1", id), Is.EqualTo(1));
            Assert.That(await ScalarAsync("select count(*) from dx.records where dataset_id = $1", id), Is.EqualTo(Rows));
            Assert.That(await ScalarAsync("""
                select count(*) from dx.records r where r.dataset_id = $1
                  and not exists (select 1 from dx.dataset_versions v where v.dataset_id = r.dataset_id and v.version = r.valid_from)
                """, id), Is.EqualTo(0), "no row belongs to an unpublished version");
            Assert.That(await ScalarAsync("select count(*) from dx.audit_log where dataset_id = $1 and action = 'run-started'", id), Is.EqualTo(2),
                "the run started twice: once on the killed worker, once on the survivor");
        });
    }

    /// <summary>
    /// Waits until validated records flow into the run's staging table or, on a first load, straight into
    /// dx.records (the binary COPY that the validators feed, seen in pg_stat_progress_copy) and fewer than all
    /// have arrived: the worker is provably validating. Returns how many had arrived.
    /// </summary>
    async Task<long> WaitForStagingAsync(WorkerProcess worker)
    {
        const string sql = """
            select coalesce(max(p.tuples_processed), 0) from pg_stat_progress_copy p join pg_stat_activity a on a.pid = p.pid
            where a.datname = current_database() and (a.query like 'copy stage %' or a.query like 'copy dx.records %')
            """;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (true)
        {
            var staged = await FaultProbe.ScalarAsync(_h.ConnectionString, sql);
            if (staged is > 0 and < Rows) return staged;
            if (DateTime.UtcNow > deadline) Assert.Fail($"The run was never seen validating ({staged} staged).\n{worker.Output}");
            await Task.Delay(20);
        }
    }

    async Task WaitForStatusAsync(string datasetId, string runId, string status, WorkerProcess worker)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while ((await _h.Steward.GetAsync($"/api/v1/datasets/{datasetId}/runs/{runId}"))["status"]!.GetValue<string>() != status)
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"Run {runId} never reached {status}.\n{worker.Output}");
            await Task.Delay(50);
        }
    }

    async Task<long> ScalarAsync(string sql, string datasetId)
    {
        await using var conn = new NpgsqlConnection(_h.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn) { Parameters = { new() { Value = datasetId } } };
        return (long)(await cmd.ExecuteScalarAsync())!;
    }
}
