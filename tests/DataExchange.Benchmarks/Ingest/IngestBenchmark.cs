using System.Diagnostics;
using System.Globalization;
using DataExchange.Core.Hosting;
using Npgsql;

namespace DataExchange.Benchmarks.Ingest;

/// <summary>
/// Issue 4's benchmark: on one generated CSV, times a bare PostgreSQL COPY (the baseline), a first
/// ingest end to end, a re-ingest of the same file and a re-ingest with 1% of rows changed, on an
/// embedded durable cluster. Ends with one line of ratios:
/// ingest_vs_copy = first-ingest rows/s ÷ COPY rows/s (higher is better);
/// unchanged_vs_first and changed1pct_vs_first = elapsed time ÷ the first ingest's (lower is better).
/// </summary>
public static class IngestBenchmark
{
    /// <summary>Runs the benchmark; <c>--rows N</c> (default 1,000,000).</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var rows = 1_000_000;
        for (var i = 0; i < args.Length - 1; i++)
            if (args[i] == "--rows") rows = int.Parse(args[i + 1], CultureInfo.InvariantCulture);

        var work = Directory.CreateTempSubdirectory("dx-bench-").FullName;
        var drop = Directory.CreateDirectory(Path.Combine(work, "drop")).FullName;
        var folder = Directory.CreateDirectory(Path.Combine(drop, "bench-ag")).FullName;
        var csv = Path.Combine(folder, "bench.csv");
        try
        {
            var sw = Stopwatch.StartNew();
            BenchCsv.Write(csv, rows, changed: false);
            Console.WriteLine($"generated {rows:N0} rows ({new FileInfo(csv).Length / 1e6:F0} MB) in {sw.Elapsed.TotalSeconds:F1} s");

            await using var cluster = await EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions { Durable = true });
            await cluster.CreateDatabaseAsync("bench");
            var connectionString = cluster.ConnectionString("bench");

            _meter = new CpuMeter(cluster.DataDirectory);
            _cpu = _meter.Read();
            var copy = await TimeAsync(() => CopyBaselineAsync(connectionString, csv));
            Report("COPY baseline", rows, copy);

            await using var harness = await IngestHarness.StartAsync(connectionString, drop, work);
            // A running exchange has compiled its ingestion code long before a big feed arrives: a
            // 50,000-row run of another dataset first, so the timed runs measure the pipeline, not
            // the JIT's first tiers (cold, the first ingest's validation costs about twice the CPU).
            BenchCsv.Write(Path.Combine(folder, "warmup.csv"), 50_000, changed: false);
            Console.WriteLine($"warm-up                  {await harness.RunOnceAsync(IngestHarness.WarmUpId)}");
            _cpu = _meter.Read();
            var (first, firstRun) = await TimeRunAsync(harness);
            Report("first ingest", rows, first, firstRun);
            var (unchanged, unchangedRun) = await TimeRunAsync(harness);
            Report("re-ingest, same file", rows, unchanged, unchangedRun);
            BenchCsv.Write(csv, rows, changed: true);
            var (changed, changedRun) = await TimeRunAsync(harness);
            Report("re-ingest, 1% changed", rows, changed, changedRun);

            var peakMb = Process.GetCurrentProcess().PeakWorkingSet64 / (1024 * 1024);
            var c = CultureInfo.InvariantCulture;
            Console.WriteLine(string.Create(c,
                $"ingest_vs_copy={copy.TotalSeconds / first.TotalSeconds:F3} unchanged_vs_first={unchanged.TotalSeconds / first.TotalSeconds:F3} changed1pct_vs_first={changed.TotalSeconds / first.TotalSeconds:F3} peak_mb={peakMb}"));
            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    static CpuMeter? _meter;
    static (double Client, double Server) _cpu;

    static async Task<TimeSpan> TimeAsync(Func<Task> action)
    {
        var sw = Stopwatch.StartNew();
        await action();
        return sw.Elapsed;
    }

    static async Task<(TimeSpan, string)> TimeRunAsync(IngestHarness harness)
    {
        var sw = Stopwatch.StartNew();
        var run = await harness.RunOnceAsync();
        return (sw.Elapsed, run);
    }

    // CPU seconds beside wall time: on a shared 2-core machine wall time swings with the neighbours' load.
    static void Report(string what, int rows, TimeSpan elapsed, string? run = null)
    {
        var now = _meter!.Read();
        var (client, server) = (now.Client - _cpu.Client, now.Server - _cpu.Server);
        _cpu = now;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{what,-24} {elapsed.TotalSeconds,8:F2} s {rows / elapsed.TotalSeconds,12:N0} rows/s  cpu {client:F1}+{server:F1} s  peak {Process.GetCurrentProcess().PeakWorkingSet64 / (1024 * 1024)} MB  {run}"));
    }

    /// <summary>The baseline: the CSV as is into a plain 10-column text table, by COPY … (format csv).</summary>
    static async Task CopyBaselineAsync(string connectionString, string csv)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        const string create = """
            create table baseline (id text, name text, category text, amount text, quantity text, active text, created text, code text, score text, note text)
            """;
        await using (var cmd = new NpgsqlCommand(create, conn)) await cmd.ExecuteNonQueryAsync();
        await using (var writer = await conn.BeginTextImportAsync("copy baseline from stdin (format csv, header true)"))
        using (var reader = new StreamReader(csv))
        {
            var buffer = new char[1 << 16];
            int n;
            while ((n = await reader.ReadAsync(buffer)) > 0) await writer.WriteAsync(buffer.AsMemory(0, n));
        }
        await using (var cmd = new NpgsqlCommand("drop table baseline", conn)) await cmd.ExecuteNonQueryAsync();
    }
}
