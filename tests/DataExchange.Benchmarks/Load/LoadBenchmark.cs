using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using DataExchange.Benchmarks.Ingest;
using DataExchange.Core.Agencies;
using DataExchange.Core.Audit;
using DataExchange.Core.Common;
using DataExchange.Core.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using DataExchange.Benchmarks.Pull;
using static DataExchange.Benchmarks.Pull.BenchPeople;
using static DataExchange.Benchmarks.Pull.PullBenchmark;

namespace DataExchange.Benchmarks.Load;

/// <summary>
/// <c>load [--clients 50] [--seconds 60] [--rows 200000] [--ingest-rows 100000]</c> (issue 14): the exchange on real
/// Kestrel with a seeded dataset (COPY, as in the read benchmark) and a consumer holding an approved pull + lookup
/// subscription; C clients for S seconds each issue a mix (half and half) of JSON record pages (limit 100, following
/// <c>Link: rel="next"</c>) and single-key lookups (10% absent keys), while a steward keeps uploading a CSV of
/// another dataset (alternately unchanged and 1% changed) and waiting for each run. Prints requests/s, p50/p99 per
/// kind, errors (any non-2xx except the 404 of an absent lookup key), ingests completed, and whether the audit
/// chain verifies at the end; first a reference line: the same clients' Npgsql keyset pages for a few seconds.
/// </summary>
public static class LoadBenchmark
{
    const string IngestId = "bench.load-ingest";

    /// <summary>Runs the benchmark; returns the exit code (1 on any error or a broken chain).</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        int Int(string name, int fallback) => Arg(args, name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        var clients = Int("--clients", 50);
        var seconds = Int("--seconds", 60);
        var rows = Int("--rows", 200_000);
        var ingestRows = Int("--ingest-rows", 100_000);
        await using var pg = await EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions { Durable = false });
        await pg.CreateDatabaseAsync("bench");
        var connectionString = pg.ConnectionString("bench");
        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_DATAEXCHANGE_SERVER", AppContext.BaseDirectory);
        var (factory, baseUri) = StartServer(connectionString, audited: true, new Dictionary<string, string> { ["RateLimiting:PermitLimit"] = "1000000000" });
        await using var _ = factory;
        var admin = Client(baseUri, (await factory.Services.GetRequiredService<ApiKeyService>().BootstrapAdminAsync())!.Key);
        var people = await BenchPeople.RegisterAsync(admin, key => Client(baseUri, key));
        var steward = people.Steward;
        await PostAsync(steward, "/api/v1/datasets", new { id = IngestId, title = "Bench ingest", description = "Uploaded while the load runs", keyFields = new[] { "id" }, classification = "internal", tags = new[] { "bench" }, schema = JsonNode.Parse(BenchCsv.Schema), feed = new { source = "upload", format = "csv", mode = "snapshot" } });
        await SeedAsync(connectionString, rows);
        var consumer = await people.ConsumerAsync("reader", new { access = new[] { "pull", "lookup" } });
        var folder = Directory.CreateTempSubdirectory("dx-load-").FullName;
        string[] files = [Path.Combine(folder, "a.csv"), Path.Combine(folder, "b.csv")];
        BenchCsv.Write(files[0], ingestRows, changed: false);
        BenchCsv.Write(files[1], ingestRows, changed: true);
        Console.WriteLine($"seeded {rows} rows; {clients} clients, {seconds} s; ingest CSV {ingestRows} rows; load average {File.ReadAllText("/proc/loadavg").Trim()}");

        // Reference: the same number of clients reading the same keyset pages straight from PostgreSQL.
        await using (var dataSource = NpgsqlDataSource.Create(connectionString))
        {
            var pgSeconds = Math.Min(5, seconds);
            var pages = await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
            {
                var end = Stopwatch.GetTimestamp() + (long)(pgSeconds * Stopwatch.Frequency);
                var after = "";
                long n = 0;
                while (Stopwatch.GetTimestamp() < end)
                {
                    await using var cmd = dataSource.CreateCommand("select key, data::text from dx.records where dataset_id = $1 and valid_from <= 1 and (valid_to is null or valid_to > 1) and key > $2 order by key limit 100");
                    cmd.Parameters.Add(new NpgsqlParameter { Value = DatasetId });
                    cmd.Parameters.Add(new NpgsqlParameter { Value = after });
                    await using var reader = await cmd.ExecuteReaderAsync();
                    string? last = null;
                    while (await reader.ReadAsync()) { last = reader.GetString(0); reader.GetString(1); }
                    after = last ?? "";
                    n++;
                }
                return n;
            })));
            Console.WriteLine(FormattableString.Invariant($"reference: npgsql keyset pages of 100, {clients} connections, {pgSeconds} s: {pages.Sum() / (double)pgSeconds:F0} pages/s (no load besides)"));
        }

        using var stop = new CancellationTokenSource();
        long ingests = 0, ingestErrors = 0;
        var ingestLoop = Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                await using var body = File.OpenRead(files[i % 2]);
                using var content = new StreamContent(body);
                content.Headers.ContentType = new("text/csv");
                using var response = await steward.PostAsync($"/api/v1/datasets/{IngestId}/uploads", content);
                var text = await response.Content.ReadAsStringAsync();
                if (!response.IsSuccessStatusCode) { Interlocked.Increment(ref ingestErrors); Console.WriteLine($"upload: {(int)response.StatusCode} {text}"); continue; }
                var id = JsonNode.Parse(text)!["id"]!.GetValue<string>();
                while (true)
                {
                    await Task.Delay(200);
                    var run = JsonNode.Parse(await steward.GetStringAsync($"/api/v1/datasets/{IngestId}/runs/{id}"))!;
                    var status = run["status"]!.GetValue<string>();
                    if (status is "queued" or "running") continue;
                    if (status is "succeeded" or "unchanged") Interlocked.Increment(ref ingests);
                    else { Interlocked.Increment(ref ingestErrors); Console.WriteLine($"run {id}: {status} {run["error"]}"); }
                    break;
                }
            }
        });

        var end = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
        var clock = Stopwatch.StartNew();
        var results = await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            var random = new Random(c);
            var pageTicks = new List<long>();
            var lookupTicks = new List<long>();
            long errors = 0;
            string? next = null;
            while (Stopwatch.GetTimestamp() < end)
            {
                var page = random.Next(2) == 0;
                var start = Stopwatch.GetTimestamp();
                if (page)
                {
                    using var response = await consumer.GetAsync(next ?? $"/api/v1/datasets/{DatasetId}/records?limit=100");
                    await response.Content.ReadAsByteArrayAsync();
                    if (!response.IsSuccessStatusCode) { errors++; next = null; }
                    else next = response.Headers.TryGetValues("Link", out var links) && links.FirstOrDefault() is { } link ? link[1..link.IndexOf('>')] : null;
                    pageTicks.Add(Stopwatch.GetTimestamp() - start);
                }
                else
                {
                    var i = random.NextDouble() < 0.1 ? rows + random.Next(rows) : random.Next(rows);
                    using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/datasets/{DatasetId}/records/{i.ToString("D8", CultureInfo.InvariantCulture)}");
                    request.Headers.Add("Dx-Purpose", "benchmark");
                    using var response = await consumer.SendAsync(request);
                    await response.Content.ReadAsByteArrayAsync();
                    if (!response.IsSuccessStatusCode && !(response.StatusCode == HttpStatusCode.NotFound && i >= rows)) errors++;
                    lookupTicks.Add(Stopwatch.GetTimestamp() - start);
                }
            }
            return (pageTicks, lookupTicks, errors);
        })));
        var elapsed = clock.Elapsed.TotalSeconds;
        stop.Cancel();
        await ingestLoop;
        var loadAverage = File.ReadAllText("/proc/loadavg").Trim();
        var pagesAll = results.SelectMany(r => r.pageTicks).Order().ToArray();
        var lookupsAll = results.SelectMany(r => r.lookupTicks).Order().ToArray();
        var errorCount = results.Sum(r => r.errors);
        static double P(long[] t, double q) => t.Length == 0 ? double.NaN : t[Math.Min(t.Length - 1, (int)(q * t.Length))] * 1000.0 / Stopwatch.Frequency;
        var all = pagesAll.Concat(lookupsAll).Order().ToArray();
        Console.WriteLine(FormattableString.Invariant($"pages (limit 100): {pagesAll.Length / elapsed,8:F0} req/s  p50 {P(pagesAll, 0.5),7:F1} ms  p99 {P(pagesAll, 0.99),7:F1} ms"));
        Console.WriteLine(FormattableString.Invariant($"lookups:           {lookupsAll.Length / elapsed,8:F0} req/s  p50 {P(lookupsAll, 0.5),7:F1} ms  p99 {P(lookupsAll, 0.99),7:F1} ms"));
        var auditor = new Caller("bench-auditor", Caller.OperatorAgency, new HashSet<string>(StringComparer.Ordinal) { Role.Auditor });
        var chain = await factory.Services.GetRequiredService<AuditService>().VerifyAsync(auditor);
        Console.WriteLine(FormattableString.Invariant($"all: {all.Length / elapsed:F0} req/s p50 {P(all, 0.5):F1} ms p99 {P(all, 0.99):F1} ms; errors {errorCount}; ingests completed {ingests} (failed {ingestErrors}); audit chain of {chain.Entries} entries {(chain.Ok ? "verifies" : "BROKEN")}; load average after {loadAverage}"));
        Directory.Delete(folder, recursive: true);
        return errorCount == 0 && ingestErrors == 0 && chain.Ok ? 0 : 1;
    }
}
