using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;

using static DataExchange.Benchmarks.Pull.PullBenchmark;

namespace DataExchange.Benchmarks.Lookup;

/// <summary>
/// The exchange's HTTP clients in a process of their own (<c>lookup-clients</c>, started by the lookup benchmark), so
/// that the CPU the clients spend (HttpClient, sockets) is counted apart from the server's: in one process the two
/// share one CPU figure. The child warms its own paths, says <c>timing</c>, runs the timed loop, writes the sorted
/// latencies to a file and says <c>done count found seconds cpu-seconds warm-up-requests</c>.
/// </summary>
static class LookupClients
{
    const string KeyVariable = "DX_BENCH_LOOKUP_KEY";

    /// <summary>Runs <paramref name="batch"/>-key batches (0: single GETs) from a child process; the parent's and PostgreSQL's CPU over its timed loop.</summary>
    public static async Task<(LookupBenchmark.Result Timed, long Warmed)> RunAsync(Uri baseUri, string apiKey, int clients, TimeSpan duration, int rows, double miss, int batch,
        string? prefix = null)
    {
        var ticksFile = Path.GetTempFileName();
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            Environment = { [KeyVariable] = apiKey },
        };
        foreach (var a in new[]
        {
            typeof(LookupClients).Assembly.Location, "lookup-clients", baseUri.ToString(), Str(clients), Str(duration.TotalSeconds), Str(rows), Str(miss), Str(batch), ticksFile, prefix ?? "",
        }) start.ArgumentList.Add(a);
        using var child = Process.Start(start)!;
        (double Client, double Server) cpu0 = default;
        var counters0 = ServerCounters.Take();
        string? line;
        while ((line = await child.StandardOutput.ReadLineAsync()) is not null)
        {
            if (line == "timing")
            {
                cpu0 = LookupBenchmark.Cpu();
                counters0 = ServerCounters.Take();
                Console.WriteLine($"clients timed from process {child.Id} for {duration.TotalSeconds} s");
            }
            else if (line.StartsWith("done ", StringComparison.Ordinal)) break;
        }
        var cpu1 = LookupBenchmark.Cpu();
        var counters1 = ServerCounters.Take();
        await child.WaitForExitAsync();
        if (line is null || child.ExitCode != 0) throw new InvalidOperationException($"lookup-clients exited {child.ExitCode}");
        var f = line.Split(' ');
        var ticks = (await File.ReadAllBytesAsync(ticksFile)).AsSpan();
        File.Delete(ticksFile);
        var requests = long.Parse(f[1], CultureInfo.InvariantCulture);
        Console.WriteLine(FormattableString.Invariant($"  server per request while timed{(prefix is { Length: > 0 } ? " (HTTP alone)" : batch > 0 ? $" (x{batch})" : "")}: {(counters1.Allocated - counters0.Allocated) / (double)requests:F0} bytes allocated, {(counters1.WorkItems - counters0.WorkItems) / (double)requests:F2} thread-pool work items, {(counters1.Switches - counters0.Switches) / (double)requests:F2} context switches ({requests} requests)"));
        return (new LookupBenchmark.Result(long.Parse(f[1], CultureInfo.InvariantCulture), long.Parse(f[2], CultureInfo.InvariantCulture), Double(f[3]),
            System.Runtime.InteropServices.MemoryMarshal.Cast<byte, long>(ticks).ToArray(), cpu1.Client - cpu0.Client, cpu1.Server - cpu0.Server, Double(f[4])),
            long.Parse(f[5], CultureInfo.InvariantCulture));
    }

    /// <summary>The child: <c>lookup-clients uri clients seconds rows miss batch ticks-file [path-prefix]</c>, the API key in <see cref="KeyVariable"/>.</summary>
    public static async Task<int> ChildAsync(string[] args)
    {
        var (clients, seconds, rows, miss, batch) = (int.Parse(args[1], CultureInfo.InvariantCulture), Double(args[2]), int.Parse(args[3], CultureInfo.InvariantCulture),
            Double(args[4]), int.Parse(args[5], CultureInfo.InvariantCulture));
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = clients, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
        using var http = new HttpClient(handler) { BaseAddress = new Uri(args[0]), Timeout = TimeSpan.FromMinutes(2) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Environment.GetEnvironmentVariable(KeyVariable));
        var keys = new LookupBenchmark.Keys(rows, miss);
        var prefix = args.Length > 7 && args[7].Length > 0 ? args[7] : null;
        Task<LookupBenchmark.Result> Loop(TimeSpan d) => batch > 0 ? LookupBenchmark.HttpBatchAsync(http, clients, d, keys, batch) : LookupBenchmark.HttpAsync(http, clients, d, keys, prefix);
        // This process's own JIT settles first (the server's is warm already).
        long warmed = 0;
        await LookupBenchmark.SettleAsync(async () => warmed += (await Loop(TimeSpan.FromSeconds(Math.Min(2, seconds)))).Count);
        Console.WriteLine("timing");
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var result = await Loop(TimeSpan.FromSeconds(seconds));
        var used = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        await File.WriteAllBytesAsync(args[6], System.Runtime.InteropServices.MemoryMarshal.AsBytes(result.Ticks.AsSpan()).ToArray());
        Console.WriteLine(FormattableString.Invariant($"done {result.Count} {result.Found} {result.Seconds:R} {used:R} {warmed}"));
        return 0;
    }

    static string Str(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    static double Double(string s) => double.Parse(s, CultureInfo.InvariantCulture);
}

/// <summary>
/// The server process's own counters (this process, the clients being in their child): bytes allocated, thread-pool work
/// items completed, and context switches of all its threads, ended ones included (getrusage: voluntary and not) — per
/// request these do not depend on how fast a loaded machine runs them.
/// </summary>
static class ServerCounters
{
    public static (long Allocated, long WorkItems, long Switches) Take()
    {
        // struct rusage on 64-bit Linux: two timevals (4 longs), then 14 longs of which ru_nvcsw and ru_nivcsw are the last two.
        var usage = new long[18];
        var switches = GetRusage(0, usage) == 0 ? usage[16] + usage[17] : 0;
        return (GC.GetTotalAllocatedBytes(false), ThreadPool.CompletedWorkItemCount, switches);
    }

#pragma warning disable SYSLIB1054 // LibraryImport would need unsafe code in the benchmark project
    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "getrusage")]
    static extern int GetRusage(int who, [System.Runtime.InteropServices.Out] long[] usage);
#pragma warning restore SYSLIB1054
}
