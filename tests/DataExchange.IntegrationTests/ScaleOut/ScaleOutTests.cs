using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using DataExchange.IntegrationTests.Hosting;
using DataExchange.IntegrationTests.Ingestion;
using Npgsql;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.ScaleOut;

/// <summary>
/// Issue 8, item 4: one API node (the test host, no Hangfire server) and three worker processes
/// on one PostgreSQL. 20 feeds run at once; one worker is killed mid-way. Every feed ends with
/// exactly one published version, and the runs were spread over the workers.
/// </summary>
[TestFixture, Category("ScaleOut"), Category(TestCategories.Slow)]
public sealed class ScaleOutTests
{
    const int Feeds = 20, Rows = 20_000;
    static readonly Dictionary<string, string> WorkerSettings = new() { ["Hangfire:InvisibilityTimeout"] = "00:00:05", ["Logging:LogLevel:Default"] = "Warning" };

    IngestionHarness _h = null!;

    [OneTimeSetUp]
    public async Task StartAsync() =>
        _h = await IngestionHarness.StartAsync("scaleout", new Dictionary<string, string?> { ["Server:Role"] = "api", ["Hangfire:InvisibilityTimeout"] = "00:00:05" });

    [OneTimeTearDown]
    public void Stop() => _h.Dispose();

    [Test]
    public async Task TwentyFeedsOnThreeWorkers_OneKilled_EveryFeedPublishesExactlyOnce()
    {
        var schema = JsonNode.Parse("""
            {"type":"object","required":["id","name"],"additionalProperties":false,
             "properties":{"id":{"type":"integer"},"name":{"type":"string"},"amount":{"type":"number"}}}
            """)!.AsObject();
        var datasets = new List<string>();
        for (var f = 0; f < Feeds; f++)
        {
            var sb = new StringBuilder("id,name,amount\n");
            for (var i = 1; i <= Rows; i++) sb.Append(System.Globalization.CultureInfo.InvariantCulture, $"{i},feed {f} row {i},{i % 97}.25\n");
            await File.WriteAllTextAsync(_h.Factory.DropFile(IngestionHarness.Agency, $"feed{f}.csv"), sb.ToString());
            datasets.Add(await _h.RegisterAsync($"feed{f}", ["id"], schema, new { source = $"file:{IngestionHarness.Agency}/feed{f}.csv", format = "csv", cron = "0 4 * * *" }));
        }

        var workers = Enumerable.Range(0, 3).Select(_ => WorkerProcess.Start(_h.ConnectionString, _h.Factory.DropRoot, WorkerSettings)).ToList();
        try
        {
            var runs = new Dictionary<string, string>();
            foreach (var id in datasets)
                runs[id] = (await _h.Steward.PostAsync($"/api/v1/datasets/{id}/runs", null, HttpStatusCode.Accepted))["id"]!.GetValue<string>();

            // Kill one worker once runs are under way on it (or after 20 s at the latest).
            var victimPid = await WaitForAWorkerBusyAsync(workers, TimeSpan.FromSeconds(20));
            var victim = workers.First(w => w.ProcessId == victimPid);
            victim.Kill();
            TestContext.Out.WriteLine($"Killed worker pid {victimPid} mid-way.");

            var final = new Dictionary<string, JsonNode>();
            foreach (var (id, runId) in runs)
                final[id] = await _h.Steward.WaitForRunAsync(id, runId, TimeSpan.FromSeconds(240));

            Assert.Multiple(() =>
            {
                foreach (var (id, run) in final)
                {
                    Assert.That(IngestionHarness.Status(run), Is.EqualTo("succeeded"), $"{id}: {run.ToJsonString()}");
                    Assert.That(run["publishedVersion"]!.GetValue<int>(), Is.EqualTo(1), id);
                    Assert.That(IngestionHarness.Count(run, "inserted"), Is.EqualTo(Rows), id);
                }
            });
            await using var conn = new NpgsqlConnection(_h.ConnectionString);
            await conn.OpenAsync();
            Assert.That(await ScalarAsync(conn, "select count(*) from dx.dataset_versions"), Is.EqualTo(Feeds), "exactly one version per feed");
            Assert.That(await ScalarAsync(conn, "select count(*) from dx.records"), Is.EqualTo((long)Feeds * Rows), "no partial or doubled rows");
            Assert.That(await ScalarAsync(conn, "select count(*) from dx.records r where not exists (select 1 from dx.dataset_versions v where v.dataset_id = r.dataset_id and v.version = r.valid_from)"),
                Is.Zero, "no row of an unpublished version");

            var perServer = await PerServerAsync(conn);
            TestContext.Out.WriteLine("Runs processed per worker (Hangfire server): " + string.Join(", ", perServer.Select(p => $"{p.Key}: {p.Value}")));
            Assert.That(perServer, Has.Count.GreaterThanOrEqualTo(2), "runs spread across the workers");
            var restarted = await ScalarAsync(conn, "select count(*) - count(distinct target) from dx.audit_log where action = 'run-started'");
            TestContext.Out.WriteLine($"Runs redone after the kill: {restarted}.");
        }
        finally
        {
            foreach (var w in workers) w.Dispose();
        }
    }

    async Task<int> WaitForAWorkerBusyAsync(List<WorkerProcess> workers, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        await using var conn = new NpgsqlConnection(_h.ConnectionString);
        await conn.OpenAsync();
        while (DateTime.UtcNow < deadline)
        {
            var busy = await PerServerAsync(conn, processingOnly: true);
            foreach (var w in workers)
                if (busy.Keys.Any(server => server.Contains($":{w.ProcessId}:", StringComparison.Ordinal))) return w.ProcessId;
            await Task.Delay(100);
        }
        return workers[0].ProcessId;
    }

    /// <summary>Hangfire's own record of which server processed each job (its Processing states).</summary>
    static async Task<Dictionary<string, long>> PerServerAsync(NpgsqlConnection conn, bool processingOnly = false)
    {
        var sql = processingOnly
            ? "select s.data::json->>'ServerId', count(*) from hangfire.job j join hangfire.state s on s.id = j.stateid where j.statename = 'Processing' group by 1"
            : "select data::json->>'ServerId', count(*) from hangfire.state where name = 'Processing' group by 1";
        await using var cmd = new NpgsqlCommand(sql, conn);
        await using var r = await cmd.ExecuteReaderAsync();
        var result = new Dictionary<string, long>();
        while (await r.ReadAsync()) result[r.IsDBNull(0) ? "?" : r.GetString(0)] = r.GetInt64(1);
        return result;
    }

    static async Task<long> ScalarAsync(NpgsqlConnection conn, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
