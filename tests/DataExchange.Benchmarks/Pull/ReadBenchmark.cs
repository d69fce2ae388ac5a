using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using DataExchange.Benchmarks.Ingest;
using DataExchange.Core.Agencies;
using DataExchange.Core.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using static DataExchange.Benchmarks.Pull.BenchPeople;
using static DataExchange.Benchmarks.Pull.PgStatements;
using static DataExchange.Benchmarks.Pull.PullBenchmark;

namespace DataExchange.Benchmarks.Pull;

/// <summary>
/// <c>read [--rows 200000] [--seconds 4] [--clients 1,8] [--limits 100,1000] [--modes pg,plain,masked,platformatic]
/// [--platformatic DIR] [--node PATH] [--durable] [--statements]</c> (issue 14): JSON record pages through the HTTP
/// API (real Kestrel on 127.0.0.1, a consumer with an approved subscription, audited and counted like any pull)
/// against the same keyset pages read by a plain Npgsql query, in one run on one database, and — when
/// platformatic-db is installed (<see cref="Platformatic"/>) — against platformatic-db's REST pages of the same rows.
/// Cases: page size × clients × {pg, plain (empty policy), masked (one field hashed), platformatic}; every path is
/// warmed until the JIT has settled, then each case runs <c>--seconds</c> after a one-second warm-up, every client
/// walking the snapshot page by page from the start and starting over at the end. Prints rows/s, p50/p99 page
/// latency and the CPU per row of each case (this process, client and server; platformatic-db's Node process
/// is added to its case; then PostgreSQL), then <c>read100_vs_pg=R1 read1000_vs_pg=R2 masked_vs_plain=R3</c>
/// (and <c>read100_vs_platformatic</c>…): R1 and R2 are the exchange's rows/s over the Npgsql baseline's at pages
/// of 100 and 1,000 (1 = as fast as the bare query; geometric mean over the client counts); R3 is plain rows/s
/// over masked rows/s, the cost of masking (1.25 = masked reads cost 25% more; geometric mean over every page size
/// and client count). The cluster runs with fsync off unless <c>--durable</c> (audit commits then wait for the disk);
/// <c>--statements</c> prints what PostgreSQL ran during the first unshaped case (pg_stat_statements).
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
        var durable = args.Contains("--durable");
        var statements = args.Contains("--statements");
        var pltFolder = Platformatic.Folder(Arg(args, "--platformatic"));
        var modes = (Arg(args, "--modes") ?? "pg,plain,masked,platformatic").Split(',').Where(m => m != "platformatic" || pltFolder is not null).ToArray();
        var pgOptions = new EmbeddedPostgresOptions { Durable = durable };
        if (statements) pgOptions.Settings["shared_preload_libraries"] = "pg_stat_statements";
        await using var pg = await EmbeddedPostgres.StartAsync(pgOptions);
        await pg.CreateDatabaseAsync("bench");
        var connectionString = pg.ConnectionString("bench");
        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_DATAEXCHANGE_SERVER", AppContext.BaseDirectory);
        // The rate limit would measure itself; everything else is as deployed (audited pulls included).
        var (factory, baseUri) = StartServer(connectionString, audited: true, new Dictionary<string, string> { ["RateLimiting:PermitLimit"] = "100000000" });
        await using var _ = factory;
        var admin = Client(baseUri, (await factory.Services.GetRequiredService<ApiKeyService>().BootstrapAdminAsync())!.Key);
        var people = await BenchPeople.RegisterAsync(admin, key => Client(baseUri, key));
        var seed = Stopwatch.StartNew();
        await SeedAsync(connectionString, rows);
        Console.WriteLine($"seeded {rows} rows in {seed.Elapsed.TotalSeconds:F1} s; {seconds} s per case; Server GC: {System.Runtime.GCSettings.IsServerGC}; {Environment.ProcessorCount} cores; fsync {(durable ? "on (--durable)" : "off")}");

        var plain = await people.ConsumerAsync("plain", new { });
        var masked = await people.ConsumerAsync("masked", new { masks = new { phone = "hash" } });
        await using var baseline = NpgsqlDataSource.Create(connectionString);
        await using var platformatic = pltFolder is null ? null : await Platformatic.StartAsync(pltFolder, Arg(args, "--node"), connectionString);
        using var pltClient = platformatic is null ? null : new HttpClient { BaseAddress = platformatic.Address };
        if (platformatic is not null) Console.WriteLine(platformatic.Banner);
        var cpu = new CpuMeter(pg.DataDirectory);

        Func<ReadWalker> Walker(string mode, int limit) => mode switch
        {
            "pg" => () => new PgWalker(baseline, limit, rows),
            "plain" => () => new HttpWalker(plain, limit, rows),
            "masked" => () => new HttpWalker(masked, limit, rows),
            "platformatic" => () => new PlatformaticWalker(pltClient!, limit, rows),
            _ => throw new ArgumentException($"unknown mode {mode}: pg, plain, masked or platformatic"),
        };
        Func<double> Extra(string mode) => mode == "platformatic" ? () => platformatic!.CpuSeconds : () => 0;

        // Every path until the JIT has settled: tiered compilation takes tens of seconds on a loaded machine,
        // and a case measured before would time the compiler.
        var warmUp = Stopwatch.StartNew();
        for (var round = 0; round < 20; round++)
        {
            var before = System.Runtime.JitInfo.GetCompiledMethodCount();
            foreach (var limit in limits)
                foreach (var mode in modes)
                    await RunCaseAsync(Walker(mode, limit), clientCounts.Max(), 1, cpu, Extra(mode));
            if (System.Runtime.JitInfo.GetCompiledMethodCount() - before < 50) break;
        }
        Console.WriteLine($"warmed up in {warmUp.Elapsed.TotalSeconds:F0} s ({System.Runtime.JitInfo.GetCompiledMethodCount()} methods compiled)");

        var results = new Dictionary<(string Mode, int Limit, int Clients), ReadResult>();
        foreach (var limit in limits)
            foreach (var clients in clientCounts)
                foreach (var mode in modes)
                {
                    var watch = statements && mode == "plain" && !results.Keys.Any(k => k.Mode == "plain");
                    if (watch) await StatementsAsync(connectionString, reset: true);
                    var result = await RunCaseAsync(Walker(mode, limit), clients, seconds, cpu, Extra(mode));
                    if (watch) await StatementsAsync(connectionString, reset: false, "the first unshaped case");
                    results[(mode, limit, clients)] = result;
                    Console.WriteLine(FormattableString.Invariant(
                        $"{mode,-12} limit={limit,-5} clients={clients}: {result.RowsPerSecond,9:F0} rows/s  p50 {result.P50,6:F2} ms  p99 {result.P99,6:F2} ms  cpu {result.ProcessCpuPerRow,5:F1} µs/row (+ postgres {result.PostgresCpuPerRow,4:F1})"));
                }

        double Ratio(string over, string under, int limit) =>
            GeoMean(clientCounts.Select(c => results[(over, limit, c)].RowsPerSecond / results[(under, limit, c)].RowsPerSecond));
        var head = new List<string>();
        foreach (var under in new[] { "pg", "platformatic" }.Where(m => modes.Contains(m) && modes.Contains("plain")))
            foreach (var limit in limits) head.Add(FormattableString.Invariant($"read{limit}_vs_{under}={Ratio("plain", under, limit):F2}"));
        if (modes.Contains("plain") && modes.Contains("masked"))
            head.Add(FormattableString.Invariant($"masked_vs_plain={GeoMean(limits.SelectMany(l => clientCounts.Select(c => results[("plain", l, c)].RowsPerSecond / results[("masked", l, c)].RowsPerSecond))):F2}"));
        Console.WriteLine(string.Join(' ', head));
        return 0;
    }

    sealed record ReadResult(double RowsPerSecond, double P50, double P99, double ProcessCpuPerRow, double PostgresCpuPerRow);

    /// <summary>Runs <paramref name="clients"/> walkers for a second of warm-up, then <paramref name="seconds"/> measured.</summary>
    static async Task<ReadResult> RunCaseAsync(Func<ReadWalker> create, int clients, double seconds, CpuMeter cpu, Func<double> extraCpu)
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
        var extra0 = extraCpu();
        var clock = Stopwatch.StartNew();
        Volatile.Write(ref measuring, true);
        await Task.Delay(TimeSpan.FromSeconds(seconds));
        Volatile.Write(ref measuring, false);
        var elapsed = clock.Elapsed.TotalSeconds;
        var (client1, server1) = cpu.Read();
        var extra1 = extraCpu();
        Volatile.Write(ref stop, true);
        await Task.WhenAll(tasks);
        var rows = walkers.Sum(w => w.Rows);
        var latencies = walkers.SelectMany(w => w.Latencies).Order().ToArray();
        double Percentile(double p) => latencies.Length == 0 ? double.NaN : latencies[Math.Min(latencies.Length - 1, (int)(p * latencies.Length))];
        return new ReadResult(rows / elapsed, Percentile(0.50), Percentile(0.99), (client1 - client0 + extra1 - extra0) * 1e6 / Math.Max(rows, 1),
            (server1 - server0) * 1e6 / Math.Max(rows, 1));
    }

    static int[] Ints(string list) => [.. list.Split(',').Select(x => int.Parse(x, CultureInfo.InvariantCulture))];

    static double GeoMean(IEnumerable<double> values)
    {
        var list = values.ToList();
        return Math.Exp(list.Sum(Math.Log) / list.Count);
    }
}
