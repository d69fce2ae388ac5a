using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using DataExchange.IntegrationTests.Hosting;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Load;

/// <summary>
/// Issue 8 item 3: 50 concurrent consumers over real HTTP (Kestrel) while an ingestion runs; zero errors,
/// throughput and latency reported, memory stable. Duration <c>DX_LOAD_SECONDS</c> (default 20; the
/// issue's full run is <c>DX_LOAD_SECONDS=60</c>).
/// </summary>
[TestFixture, Category("Load"), Category(TestCategories.Slow)]
public sealed class LoadTests
{
    /// <summary>50 consumers, one key each, in five agencies: streams of one key and of one agency stay within Pull:MaxStreamsPerKey and MaxStreamsPerAgency.</summary>
    const int Clients = 50, Agencies = 5, PulledRows = 30_000, IngestedRows = 200_000;
    const string Pulled = "load.people", Ingested = "load.bulk";
    KestrelExchange _exchange = null!;
    ApiClient _steward = null!;
    readonly List<string> _consumerKeys = [];

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _exchange = await KestrelExchange.StartAsync("load", new Dictionary<string, string?> { ["RateLimiting:PermitLimit"] = "100000000" });
        _steward = _exchange.Client(await _exchange.KeyAsync("load", "steward"));
        foreach (var (id, title) in new[] { (Pulled, "People under load"), (Ingested, "Bulk ingested under load") })
            await _steward.PostAsync("/api/v1/datasets", new
            {
                id, title, description = "Synthetic people for the load test, one row per city dweller", keyFields = new[] { "id" },
                classification = "public", tags = new[] { "load", "people" }, schema = Schema(),
                feed = new { source = "upload", format = "csv", mode = "snapshot" },
            });
        var first = new IngestLoop(_steward, Pulled, PulledRows);
        using (var once = new CancellationTokenSource()) { once.Cancel(); await first.RunAsync(once.Token); }
        Assert.That(first.Runs.Single().Status, Is.EqualTo("succeeded"), first.Runs.Single().Run.ToJsonString());
        for (var a = 0; a < Agencies; a++)
        {
            var keys = new List<string>();
            for (var k = 0; k < Clients / Agencies; k++) keys.Add(await _exchange.KeyAsync($"reader{a}", "consumer"));
            var sub = await _exchange.Client(keys[0]).PostAsync("/api/v1/subscriptions", new { datasetId = Pulled, purpose = "load testing" });
            if (sub["status"]!.GetValue<string>() == "pending")
                await _steward.PostAsync($"/api/v1/subscriptions/{sub["id"]}/approval", new { policy = new { } }, HttpStatusCode.OK);
            _consumerKeys.AddRange(keys);
        }
    }

    [OneTimeTearDown]
    public void Stop() => _exchange?.Dispose();

    [Test]
    public async Task Fifty_concurrent_consumers_pull_and_browse_without_errors_while_a_large_ingestion_runs_and_memory_stays_flat()
    {
        var window = TimeSpan.FromSeconds(int.Parse(Environment.GetEnvironmentVariable("DX_LOAD_SECONDS") ?? "20", CultureInfo.InvariantCulture));
        var stats = new LoadStats();
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 200, PooledConnectionLifetime = TimeSpan.FromMinutes(10) };
        using var http = new HttpClient(handler) { BaseAddress = _exchange.Address, Timeout = TimeSpan.FromSeconds(60) };
        var ingest = new IngestLoop(_steward, Ingested, IngestedRows);

        var start = Memory();
        using var stop = new CancellationTokenSource(window);
        var clock = Stopwatch.StartNew();
        var ingesting = ingest.RunAsync(stop.Token);
        var clients = Enumerable.Range(0, Clients).Select(i => Task.Run(() => new LoadDriver(http, _consumerKeys[i], Pulled, stats).RunAsync(i, stop.Token))).ToArray();
        await Task.Delay(window / 2);
        var middle = Memory();
        await Task.Delay(window / 2 - TimeSpan.FromSeconds(1));
        var end = Memory();
        await Task.WhenAll(clients);
        var elapsed = clock.Elapsed;
        await ingesting;

        TestContext.Out.WriteLine($"{Clients} clients for {elapsed.TotalSeconds:F1} s against {_exchange.Address} ({Environment.ProcessorCount} cores); pulled dataset {PulledRows} rows");
        TestContext.Out.Write(stats.Report(elapsed));
        foreach (var (status, rows, seconds, _) in ingest.Runs)
            TestContext.Out.WriteLine($"ingest run: {status}, {rows} rows in {seconds:F1} s ({rows / seconds:F0} rows/s)");
        TestContext.Out.WriteLine($"managed heap MB start/middle/end: {start.Heap:F0}/{middle.Heap:F0}/{end.Heap:F0}; working set MB: {start.WorkingSet:F0}/{middle.WorkingSet:F0}/{end.WorkingSet:F0}");
        foreach (var error in stats.Errors.Take(10)) TestContext.Out.WriteLine("error: " + error);

        Assert.Multiple(() =>
        {
            Assert.That(stats.Errors, Is.Empty, "every response 2xx/304, no exceptions or timeouts");
            Assert.That(stats.Requests, Is.GreaterThan(Clients), "the clients actually made requests");
            Assert.That(ingest.Runs.Select(r => r.Status), Is.Not.Empty.And.All.AnyOf("succeeded", "unchanged"), "ingestion ran to completion under the load");
            Assert.That(end.Heap, Is.LessThan(middle.Heap * 1.5 + 50), "the managed heap does not grow with the number of requests");
        });
    }

    static (double Heap, double WorkingSet) Memory()
    {
        var heap = GC.GetTotalMemory(forceFullCollection: true) / 1048576.0;
        using var process = Process.GetCurrentProcess();
        return (heap, process.WorkingSet64 / 1048576.0);
    }

    static JsonNode Schema() => JsonNode.Parse("""
        {"$schema":"http://json-schema.org/draft-07/schema#","type":"object","required":["id"],"additionalProperties":false,
         "properties":{"id":{"type":"string"},"name":{"type":"string"},"city":{"type":"string"},"age":{"type":"integer"}}}
        """)!;
}
