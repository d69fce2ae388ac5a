using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using DataExchange.Benchmarks.Ingest;
using DataExchange.Core.Agencies;
using DataExchange.Core.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using static DataExchange.Benchmarks.Pull.PullBenchmark;

namespace DataExchange.Benchmarks.Pull;

/// <summary>
/// <c>read [--rows 200000] [--seconds 4] [--clients 1,8] [--limits 100,1000]</c> (issue 14): JSON record pages
/// through the HTTP API (real Kestrel on 127.0.0.1, a consumer with an approved subscription, audited and
/// counted like any pull) against the same keyset pages read by a plain Npgsql query, in one run on one
/// database. Cases: page size × clients × {pg, plain (empty policy), masked (one field hashed)}; each case
/// runs <c>--seconds</c> after a one-second warm-up, every client walking the snapshot page by page from the
/// start (following <c>Link: rel="next"</c>, or the last key for the Npgsql baseline) and starting over at
/// the end. Prints rows/s, p50/p99 page latency and the CPU (this process: client and server, plus
/// PostgreSQL) per row of each case, then
/// <c>read100_vs_pg=R1 read1000_vs_pg=R2 masked_vs_plain=R3</c>: R1 and R2 are the exchange's rows/s over
/// the Npgsql baseline's at pages of 100 and 1,000 (1 = as fast as the bare query; geometric mean over the
/// client counts); R3 is plain rows/s over masked rows/s, the cost of masking (1.25 = masked reads cost
/// 25% more; geometric mean over every page size and client count).
/// </summary>
public static class ReadBenchmark
{
    /// <summary>Runs the benchmark; returns the exit code.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var rows = Arg(args, "--rows") is { } r ? int.Parse(r, CultureInfo.InvariantCulture) : 200_000;
        var seconds = Arg(args, "--seconds") is { } s ? double.Parse(s, CultureInfo.InvariantCulture) : 4;
        var clientCounts = Ints(Arg(args, "--clients") ?? "1,8");
        var limits = Ints(Arg(args, "--limits") ?? "100,1000");
        await using var pg = await EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions { Durable = false });
        await pg.CreateDatabaseAsync("bench");
        var connectionString = pg.ConnectionString("bench");
        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_DATAEXCHANGE_SERVER", AppContext.BaseDirectory);
        // The rate limit would measure itself; everything else is as deployed (audited pulls included).
        var (factory, baseUri) = StartServer(connectionString, audited: true, new Dictionary<string, string> { ["RateLimiting:PermitLimit"] = "100000000" });
        await using var _ = factory;
        var admin = Client(baseUri, (await factory.Services.GetRequiredService<ApiKeyService>().BootstrapAdminAsync())!.Key);
        await PostAsync(admin, "/api/v1/agencies", new { code = "bench", name = "Bench owner" });
        var steward = Client(baseUri, (await PostAsync(admin, "/api/v1/agencies/bench/keys", new { name = "s", roles = new[] { "steward" } }))["key"]!.GetValue<string>());
        var schema = JsonNode.Parse("""{"$schema":"http://json-schema.org/draft-07/schema#","type":"object","properties":{"id":{"type":"string"},"name":{"type":"string"},"phone":{"type":"string"},"city":{"type":"string"},"age":{"type":"integer"}}}""");
        await PostAsync(steward, "/api/v1/datasets", new { id = DatasetId, title = "Bench", description = "Benchmark rows", keyFields = new[] { "id" }, classification = "internal", tags = new[] { "bench" }, schema, feed = new { source = "upload", format = "ndjson", mode = "snapshot" } });
        var seed = Stopwatch.StartNew();
        await SeedAsync(connectionString, rows);
        Console.WriteLine($"seeded {rows} rows in {seed.Elapsed.TotalSeconds:F1} s; {seconds} s per case; Server GC: {System.Runtime.GCSettings.IsServerGC}; {Environment.ProcessorCount} cores");

        // One consumer agency per policy: an agency holds one open subscription per dataset.
        async Task<HttpClient> ConsumerAsync(string agency, object policy)
        {
            await PostAsync(admin, "/api/v1/agencies", new { code = agency, name = "Bench consumer " + agency });
            var consumer = Client(baseUri, (await PostAsync(admin, $"/api/v1/agencies/{agency}/keys", new { name = "c", roles = new[] { "consumer" } }))["key"]!.GetValue<string>());
            var sub = await PostAsync(consumer, "/api/v1/subscriptions", new { datasetId = DatasetId, purpose = "benchmark" });
            await PostAsync(steward, $"/api/v1/subscriptions/{sub["id"]}/approval", new { policy });
            return consumer;
        }
        var plain = await ConsumerAsync("plain", new { });
        var masked = await ConsumerAsync("masked", new { masks = new { phone = "hash" } });
        await using var baseline = NpgsqlDataSource.Create(connectionString);
        var cpu = new CpuMeter(pg.DataDirectory);

        var results = new Dictionary<(string Mode, int Limit, int Clients), Result>();
        foreach (var limit in limits)
            foreach (var clients in clientCounts)
                foreach (var mode in new[] { "pg", "plain", "masked" })
                {
                    Func<Walker> walker = mode switch
                    {
                        "pg" => () => new PgWalker(baseline, limit, rows),
                        "plain" => () => new HttpWalker(plain, limit, rows),
                        _ => () => new HttpWalker(masked, limit, rows),
                    };
                    var result = await RunCaseAsync(walker, clients, seconds, cpu);
                    results[(mode, limit, clients)] = result;
                    Console.WriteLine(FormattableString.Invariant(
                        $"{mode,-6} limit={limit,-5} clients={clients}: {result.RowsPerSecond,9:F0} rows/s  p50 {result.P50,6:F2} ms  p99 {result.P99,6:F2} ms  cpu {result.ProcessCpuPerRow,5:F1} µs/row (+ postgres {result.PostgresCpuPerRow,4:F1})"));
                }

        double Ratio(string over, string under, int limit) =>
            GeoMean(clientCounts.Select(c => results[(over, limit, c)].RowsPerSecond / results[(under, limit, c)].RowsPerSecond));
        var head = new List<string>();
        foreach (var limit in limits) head.Add(FormattableString.Invariant($"read{limit}_vs_pg={Ratio("plain", "pg", limit):F2}"));
        head.Add(FormattableString.Invariant($"masked_vs_plain={GeoMean(limits.SelectMany(l => clientCounts.Select(c => results[("plain", l, c)].RowsPerSecond / results[("masked", l, c)].RowsPerSecond))):F2}"));
        Console.WriteLine(string.Join(' ', head));
        return 0;
    }

    sealed record Result(double RowsPerSecond, double P50, double P99, double ProcessCpuPerRow, double PostgresCpuPerRow);

    /// <summary>Runs <paramref name="clients"/> walkers for a second of warm-up, then <paramref name="seconds"/> measured.</summary>
    static async Task<Result> RunCaseAsync(Func<Walker> create, int clients, double seconds, CpuMeter cpu)
    {
        var walkers = Enumerable.Range(0, clients).Select(_ => create()).ToArray();
        var measuring = false;
        var stop = false;
        var tasks = walkers.Select(w => Task.Run(async () =>
        {
            while (!Volatile.Read(ref stop))
            {
                var started = Stopwatch.GetTimestamp();
                var n = await w.NextPageAsync();
                if (Volatile.Read(ref measuring)) w.Record(n, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        })).ToArray();
        await Task.Delay(TimeSpan.FromSeconds(1));
        var (client0, server0) = cpu.Read();
        var clock = Stopwatch.StartNew();
        Volatile.Write(ref measuring, true);
        await Task.Delay(TimeSpan.FromSeconds(seconds));
        Volatile.Write(ref measuring, false);
        var elapsed = clock.Elapsed.TotalSeconds;
        var (client1, server1) = cpu.Read();
        Volatile.Write(ref stop, true);
        await Task.WhenAll(tasks);
        var rows = walkers.Sum(w => w.Rows);
        var latencies = walkers.SelectMany(w => w.Latencies).Order().ToArray();
        double Percentile(double p) => latencies.Length == 0 ? double.NaN : latencies[Math.Min(latencies.Length - 1, (int)(p * latencies.Length))];
        return new Result(rows / elapsed, Percentile(0.50), Percentile(0.99), (client1 - client0) * 1e6 / Math.Max(rows, 1), (server1 - server0) * 1e6 / Math.Max(rows, 1));
    }

    /// <summary>One client walking the snapshot in keyset pages, counting what it got while measured.</summary>
    abstract class Walker
    {
        public long Rows { get; private set; }
        public List<double> Latencies { get; } = [];

        /// <summary>Reads the next page (the first again after the last); returns its rows.</summary>
        public abstract Task<int> NextPageAsync();

        public void Record(int rows, double milliseconds)
        {
            Rows += rows;
            Latencies.Add(milliseconds);
        }
    }

    /// <summary>The Npgsql baseline: the API's snapshot query (same predicate, order and page size), each row's text read as a string.</summary>
    sealed class PgWalker(NpgsqlDataSource dataSource, int limit, int total) : Walker
    {
        const string Sql = """
            select key, data::text from dx.records
            where dataset_id = $1 and valid_from <= 1 and (valid_to is null or valid_to > 1) and key > $2 order by key limit $3
            """;
        string _after = "";
        int _seen;

        public override async Task<int> NextPageAsync()
        {
            await using var cmd = dataSource.CreateCommand(Sql);
            cmd.Parameters.Add(new NpgsqlParameter { Value = DatasetId });
            cmd.Parameters.Add(new NpgsqlParameter { Value = _after });
            cmd.Parameters.Add(new NpgsqlParameter { Value = limit });
            await using var reader = await cmd.ExecuteReaderAsync();
            var n = 0;
            long chars = 0;
            string? last = null;
            while (await reader.ReadAsync())
            {
                last = reader.GetString(0);
                chars += reader.GetString(1).Length;
                n++;
            }
            _seen += n;
            if (n < limit || last is null || _seen >= total) (_after, _seen) = ("", 0);
            else _after = last;
            return chars > 0 ? n : 0;
        }
    }

    /// <summary>A consumer reading <c>GET …/records?limit=</c> and following the <c>Link: rel="next"</c> header; rows are counted in the body.</summary>
    sealed class HttpWalker(HttpClient http, int limit, int total) : Walker
    {
        readonly string _first = $"/api/v1/datasets/{DatasetId}/records?limit={limit}";
        string? _next;
        int _seen;

        public override async Task<int> NextPageAsync()
        {
            using var response = await http.GetAsync(_next ?? _first);
            var body = await response.Content.ReadAsByteArrayAsync();
            if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"GET {_next ?? _first}: {(int)response.StatusCode} {System.Text.Encoding.UTF8.GetString(body)}");
            var n = Count(body, "{\"id\":"u8);
            _seen += n;
            var link = response.Headers.TryGetValues("Link", out var values) ? values.FirstOrDefault() : null;
            _next = link is not null && _seen < total ? link[1..link.IndexOf('>')] : null;
            if (_next is null) _seen = 0;
            return n;
        }

        static int Count(ReadOnlySpan<byte> body, ReadOnlySpan<byte> what)
        {
            var n = 0;
            for (int i; (i = body.IndexOf(what)) >= 0; body = body[(i + what.Length)..]) n++;
            return n;
        }
    }

    static int[] Ints(string list) => [.. list.Split(',').Select(x => int.Parse(x, CultureInfo.InvariantCulture))];

    static double GeoMean(IEnumerable<double> values)
    {
        var list = values.ToList();
        return Math.Exp(list.Sum(Math.Log) / list.Count);
    }
}
