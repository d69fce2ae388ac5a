using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using DataExchange.Core.Agencies;
using DataExchange.Core.Audit;
using DataExchange.Core.Common;
using DataExchange.Core.Hosting;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;

using DataExchange.Benchmarks.Pull;
using static DataExchange.Benchmarks.Pull.BenchPeople;
using static DataExchange.Benchmarks.Pull.PgStatements;
using static DataExchange.Benchmarks.Pull.PullBenchmark;

namespace DataExchange.Benchmarks.Lookup;

/// <summary>
/// <c>lookup --rows N [--seconds S] [--clients C] [--miss F] [--batch K] [--durable]</c> (issue 16): a dataset of
/// N records (default 1,000,000) seeded by binary <c>COPY</c> straight into dx.records (not through the
/// ingestion pipeline: that is the ingest benchmark's subject, and COPY seeds a million rows in seconds), then,
/// in one run on one cluster, C clients (default 8) for S seconds (default 30) each:
/// <list type="number">
/// <item>the baseline: a bare Npgsql loop, one connection per client, a prepared
/// <c>select data::text from dx.records where dataset_id = $1 and key = $2 and valid_to is null</c>;</item>
/// <item>the exchange: <c>GET /api/v1/datasets/{id}/records/{key}</c> over real HTTP (Kestrel on 127.0.0.1, one
/// connection per client; the timed clients run in a child process, <see cref="LookupClients"/>, so that the server's
/// CPU is measured apart from theirs) under a lookup-only subscription whose policy shows four fields and hashes one,
/// each lookup with its purpose and audited (a group commit before the answer leaves);</item>
/// <item>the batch form: <c>POST …/lookups</c> with K keys (default 100), against the same baseline with
/// <c>key = any($2)</c>.</item>
/// </list>
/// Keys are drawn uniformly, a fraction F (default 0.2) of them absent. Prints
/// <c>lookup_vs_pg=R p99_ms=P</c> (R = exchange lookups/s ÷ PostgreSQL lookups/s; P the exchange's p99) and
/// <c>batch_records_s=X batch_vs_pg=R</c>; then checks that every lookup has its audit entry and that the
/// chain verifies. The cluster runs with fsync off unless <c>--durable</c> (then each group commit waits
/// for its WAL flush, as in production).
/// </summary>
public static class LookupBenchmark
{
    const string Purpose = "benchmark";
    const string PgSql = "select data::text from dx.records where dataset_id = $1 and key = $2 and valid_to is null";
    const string PgBatchSql = "select key, data::text from dx.records where dataset_id = $1 and key = any($2) and valid_to is null";

    /// <summary>Runs the benchmark; returns the exit code.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var rows = Int(args, "--rows", 1_000_000);
        var seconds = Int(args, "--seconds", 30);
        var clients = Int(args, "--clients", 8);
        var batch = Int(args, "--batch", 100);
        var miss = Arg(args, "--miss") is { } m ? double.Parse(m, CultureInfo.InvariantCulture) : 0.2;
        var durable = args.Contains("--durable");
        var duration = TimeSpan.FromSeconds(seconds);

        var statements = args.Contains("--statements");
        var pgOptions = new EmbeddedPostgresOptions { Durable = durable };
        if (statements) pgOptions.Settings["shared_preload_libraries"] = "pg_stat_statements";
        await using var pg = await EmbeddedPostgres.StartAsync(pgOptions);
        _cpu = new DataExchange.Benchmarks.Ingest.CpuMeter(pg.DataDirectory);
        await pg.CreateDatabaseAsync("bench");
        var connectionString = pg.ConnectionString("bench");
        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_DATAEXCHANGE_SERVER", AppContext.BaseDirectory);
        // An integration client making thousands of lookups a second: the default 1,200 requests a minute would refuse it.
        var (factory, baseUri) = StartServer(connectionString, audited: true, new Dictionary<string, string> { ["RateLimiting:PermitLimit"] = "1000000000" },
            services => services.AddSingleton<IStartupFilter, ConstantAnswer>());
        await using var _ = factory;
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = clients, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };

        var admin = Client(handler, baseUri, (await factory.Services.GetRequiredService<ApiKeyService>().BootstrapAdminAsync())!.Key);
        var people = await BenchPeople.RegisterAsync(admin, key => Client(handler, baseUri, key));

        var seed = Stopwatch.StartNew();
        await SeedAsync(connectionString, rows);
        Console.WriteLine($"seeded {rows} rows by COPY into dx.records in {seed.Elapsed.TotalSeconds:F1} s");
        var consumer = await people.ConsumerAsync("reader", new { access = new[] { "lookup" }, fields = new[] { "id", "name", "phone", "city" }, masks = new { phone = "hash" } }, Purpose);

        var keys = new Keys(rows, miss);
        // Warm every path (JIT, plan caches, pools) before anything is timed.
        // Warm every path until the JIT has settled: on a loaded machine tiered compilation takes tens of
        // seconds to reach the exchange's hot path, and a timed phase would otherwise measure the JIT.
        var warm = TimeSpan.FromSeconds(Math.Min(3, seconds));
        var warmUp = Stopwatch.StartNew();
        long warmed = 0, warmedBatch = 0;
        await SettleAsync(async () =>
        {
            await PgAsync(connectionString, clients, warm, keys);
            warmed += (await HttpAsync(consumer, clients, warm, keys)).Count;
            warmedBatch += (await HttpBatchAsync(consumer, clients, warm, keys, batch)).Count;
        });
        Console.WriteLine($"warmed up in {warmUp.Elapsed.TotalSeconds:F0} s ({System.Runtime.JitInfo.GetCompiledMethodCount()} methods compiled)");

        // The exchange's clients run in a process of their own: this process's CPU is then the server's alone.
        var apiKey = consumer.DefaultRequestHeaders.Authorization!.Parameter!;
        var pgOne = await PgAsync(connectionString, clients, duration, keys);
        if (statements) await StatementsAsync(connectionString, reset: true);
        Console.WriteLine($"timing the exchange's single lookups for {seconds} s (server process {Environment.ProcessId})");
        var (dxOne, warmedChild) = await LookupClients.RunAsync(baseUri, apiKey, clients, duration, rows, miss, 0);
        if (statements) await StatementsAsync(connectionString, reset: false, "the exchange's single lookups");
        var pgMany = await PgBatchAsync(connectionString, clients, duration, keys, batch);
        var (dxMany, warmedBatchChild) = await LookupClients.RunAsync(baseUri, apiKey, clients, duration, rows, miss, batch);
        // The ceiling: the same clients against a constant answer (a found lookup's bytes) in the same server process.
        ConstantAnswer.Body = await FoundAnswerAsync(consumer, rows);
        Console.WriteLine($"timing HTTP alone: a constant {ConstantAnswer.Body.Length}-byte answer at {ConstantAnswer.Prefix}{{key}}, ahead of the exchange's middleware");
        var (http, _) = await LookupClients.RunAsync(baseUri, apiKey, clients, duration, rows, miss, 0, ConstantAnswer.Prefix);

        Console.WriteLine($"mode: {clients} clients, {seconds} s each, {rows} records, {miss:P0} absent keys, fsync {(durable ? "on (--durable)" : "off")}, server GC {System.Runtime.GCSettings.IsServerGC}");
        Console.WriteLine($"postgres prepared select:  {pgOne.PerSecond,9:F0} lookups/s  p50 {pgOne.P(0.50):F2} ms  p99 {pgOne.P(0.99):F2} ms  cpu {pgOne.CpuPer.Process:F0}+{pgOne.CpuPer.Postgres:F0} µs/lookup (process+postgres)");
        Console.WriteLine($"exchange GET (audited):    {dxOne.PerSecond,9:F0} lookups/s  p50 {dxOne.P(0.50):F2} ms  p99 {dxOne.P(0.99):F2} ms  cpu {dxOne.CpuPer.Client:F0}+{dxOne.CpuPer.Process:F0}+{dxOne.CpuPer.Postgres:F0} µs/lookup (HTTP clients+server+postgres)  ({dxOne.Found} found, {dxOne.Count - dxOne.Found} not found)");
        Console.WriteLine($"HTTP alone (constant):     {http.PerSecond,9:F0} requests/s p50 {http.P(0.50):F2} ms  p99 {http.P(0.99):F2} ms  cpu {http.CpuPer.Client:F0}+{http.CpuPer.Process:F0}+{http.CpuPer.Postgres:F0} µs/request (HTTP clients+server+postgres)");
        Console.WriteLine($"postgres any($2) x{batch}:    {pgMany.PerSecond * batch,9:F0} records/s  p99 {pgMany.P(0.99):F2} ms  cpu {pgMany.CpuPer.Process / batch:F1}+{pgMany.CpuPer.Postgres / batch:F1} µs/record");
        Console.WriteLine($"exchange POST x{batch}:       {dxMany.PerSecond * batch,9:F0} records/s  p99 {dxMany.P(0.99):F2} ms  cpu {dxMany.CpuPer.Client / batch:F1}+{dxMany.CpuPer.Process / batch:F1}+{dxMany.CpuPer.Postgres / batch:F1} µs/record");
        // Every lookup answered has its entry, and the chain still verifies.
        // (the one more is the lookup whose answer the ceiling serves)
        var expected = warmed + warmedChild + dxOne.Count + warmedBatch + warmedBatchChild + dxMany.Count + 1;
        long entries;
        await using (var conn = new NpgsqlConnection(connectionString))
        {
            await conn.OpenAsync();
            await using var count = new NpgsqlCommand("select count(*) from dx.audit_log where action = 'record-looked-up' and dataset_id = $1", conn) { Parameters = { new() { Value = DatasetId } } };
            entries = (long)(await count.ExecuteScalarAsync())!;
        }
        var auditor = new Caller("bench-auditor", Caller.OperatorAgency, new HashSet<string>(StringComparer.Ordinal) { Role.Auditor });
        var chain = await factory.Services.GetRequiredService<AuditService>().VerifyAsync(auditor);
        Console.WriteLine($"audit: {entries} record-looked-up entries for {expected} lookup requests; chain of {chain.Entries} entries {(chain.Ok ? "verifies" : "BROKEN")}");
        Console.WriteLine(FormattableString.Invariant($"lookup_vs_pg={dxOne.PerSecond / pgOne.PerSecond:F2} p99_ms={dxOne.P(0.99):F1} batch_records_s={dxMany.PerSecond * batch:F0} batch_vs_pg={dxMany.PerSecond / pgMany.PerSecond:F2}"));
        // The same ratios in CPU per lookup (clients, server and PostgreSQL): what they would be on a machine of their own; and the
        // server's side alone (exchange server + its PostgreSQL against PostgreSQL's part of the bare select).
        Console.WriteLine(FormattableString.Invariant($"cpu: lookup_vs_pg={pgOne.CpuTotal / dxOne.CpuTotal:F2} batch_vs_pg={pgMany.CpuTotal / dxMany.CpuTotal:F2} server_lookup_vs_pg={pgOne.CpuPer.Postgres / (dxOne.CpuPer.Process + dxOne.CpuPer.Postgres):F2}"));
        // What HTTP alone reaches against the bare loop: the most lookup_vs_pg could be with nothing else done per lookup.
        Console.WriteLine(FormattableString.Invariant($"ceiling: http_vs_pg={http.PerSecond / pgOne.PerSecond:F2} lookup_vs_http={dxOne.PerSecond / http.PerSecond:F2} cpu: http_vs_pg={pgOne.CpuTotal / http.CpuTotal:F2} lookup_vs_http={http.CpuTotal / dxOne.CpuTotal:F2}"));
        return entries == expected && chain.Ok ? 0 : 1;
    }

    /// <summary>The bytes of one found lookup's answer (the ceiling's constant body); audited like the others.</summary>
    static async Task<byte[]> FoundAnswerAsync(HttpClient consumer, int rows)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/datasets/{DatasetId}/records/{(rows / 2).ToString("D8", CultureInfo.InvariantCulture)}");
        request.Headers.Add("Dx-Purpose", Purpose);
        using var response = await consumer.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsByteArrayAsync();
    }

    /// <summary>Uniform keys over twice the seeded range minus the share that should miss: below <c>rows</c> exists, above does not.</summary>
    internal sealed class Keys(int rows, double miss)
    {
        public string Next()
        {
            var random = Random.Shared;
            var i = random.NextDouble() < miss ? rows + random.Next(rows) : random.Next(rows);
            return i.ToString("D8", CultureInfo.InvariantCulture);
        }
    }

    /// <summary>Repeats <paramref name="round"/> until a round compiles fewer than 50 methods (at most 20 rounds).</summary>
    internal static async Task SettleAsync(Func<Task> round)
    {
        for (var i = 0; i < 20; i++)
        {
            var before = System.Runtime.JitInfo.GetCompiledMethodCount();
            await round();
            if (System.Runtime.JitInfo.GetCompiledMethodCount() - before < 50) return;
        }
    }

    // CPU seconds beside wall time: on the shared 2-core machine wall time measures the neighbours too.
    static DataExchange.Benchmarks.Ingest.CpuMeter? _cpu;

    /// <summary>This process's and PostgreSQL's CPU seconds so far.</summary>
    internal static (double Client, double Server) Cpu() => _cpu?.Read() ?? default;

    /// <summary>Requests (or batches) and their latencies (sorted Stopwatch ticks), for one timed phase; CPU seconds of this process, PostgreSQL and the clients' own process.</summary>
    internal sealed class Result(long count, long found, double seconds, long[] ticks, double processCpu, double postgresCpu, double clientCpu = 0)
    {
        public long Count => count;
        public long[] Ticks => ticks;
        public double Seconds => seconds;

        /// <summary>
        /// CPU µs per request of the clients' own process (the exchange's HTTP clients; 0 for the bare loop), of this process (the
        /// exchange's server; for the bare loop, its Npgsql clients) and of PostgreSQL.
        /// </summary>
        public (double Client, double Process, double Postgres) CpuPer =>
            (clientCpu * 1e6 / Math.Max(1, count), processCpu * 1e6 / Math.Max(1, count), postgresCpu * 1e6 / Math.Max(1, count));

        /// <summary>CPU µs per request, all together.</summary>
        public double CpuTotal => CpuPer.Client + CpuPer.Process + CpuPer.Postgres;
        public long Found => found;
        public double PerSecond => count / seconds;

        /// <summary>The latency at <paramref name="q"/>, ms.</summary>
        public double P(double q) => ticks.Length == 0 ? double.NaN : ticks[Math.Min(ticks.Length - 1, (int)(q * ticks.Length))] * 1000.0 / Stopwatch.Frequency;
    }

    /// <summary>Runs <paramref name="clients"/> loops of <paramref name="one"/> (returning whether it found the record) for <paramref name="duration"/>.</summary>
    static async Task<Result> RunClientsAsync<TState>(int clients, TimeSpan duration, Func<int, Task<TState>> open, Func<TState, Task<int>> one, Func<TState, ValueTask> close)
    {
        var states = new TState[clients];
        for (var c = 0; c < clients; c++) states[c] = await open(c);
        var cpu0 = _cpu?.Read() ?? default;
        var clock = Stopwatch.StartNew();
        var end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var loops = states.Select(state => Task.Run(async () =>
        {
            var ticks = new List<long>(1 << 16);
            long found = 0;
            while (Stopwatch.GetTimestamp() < end)
            {
                var start = Stopwatch.GetTimestamp();
                found += await one(state);
                ticks.Add(Stopwatch.GetTimestamp() - start);
            }
            return (ticks, found);
        })).ToArray();
        var done = await Task.WhenAll(loops);
        var seconds = clock.Elapsed.TotalSeconds;
        var cpu1 = _cpu?.Read() ?? default;
        foreach (var state in states) await close(state);
        var all = done.SelectMany(d => d.ticks).ToArray();
        Array.Sort(all);
        return new Result(all.Length, done.Sum(d => d.found), seconds, all, cpu1.Client - cpu0.Client, cpu1.Server - cpu0.Server);
    }

    static Task<Result> PgAsync(string connectionString, int clients, TimeSpan duration, Keys keys) => RunClientsAsync(clients, duration,
        async _ => await PreparedAsync(connectionString, PgSql, NpgsqlDbType.Text),
        async cmd =>
        {
            cmd.Parameters[1].Value = keys.Next();
            return await cmd.ExecuteScalarAsync() is string ? 1 : 0;
        },
        async cmd => { var conn = cmd.Connection!; await cmd.DisposeAsync(); await conn.DisposeAsync(); });

    static Task<Result> PgBatchAsync(string connectionString, int clients, TimeSpan duration, Keys keys, int batch) => RunClientsAsync(clients, duration,
        async _ => await PreparedAsync(connectionString, PgBatchSql, NpgsqlDbType.Array | NpgsqlDbType.Text),
        async cmd =>
        {
            cmd.Parameters[1].Value = Enumerable.Range(0, batch).Select(_ => keys.Next()).ToArray();
            var found = 0;
            await using var r = await cmd.ExecuteReaderAsync();
            while (await r.ReadAsync()) { _ = r.GetString(1); found++; }
            return found;
        },
        async cmd => { var conn = cmd.Connection!; await cmd.DisposeAsync(); await conn.DisposeAsync(); });

    static async Task<NpgsqlCommand> PreparedAsync(string connectionString, string sql, NpgsqlDbType keyType)
    {
        var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        var cmd = new NpgsqlCommand(sql, conn) { Parameters = { new() { Value = DatasetId, NpgsqlDbType = NpgsqlDbType.Text }, new() { NpgsqlDbType = keyType } } };
        await cmd.PrepareAsync();
        return cmd;
    }

    /// <summary>Single GETs of <c>{prefix}{key}</c>: by default the lookup route, else the <see cref="ConstantAnswer"/> ceiling.</summary>
    internal static Task<Result> HttpAsync(HttpClient consumer, int clients, TimeSpan duration, Keys keys, string? prefix = null) => RunClientsAsync(clients, duration,
        _ => Task.FromResult(consumer),
        async http =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, (prefix ?? $"/api/v1/datasets/{DatasetId}/records/") + keys.Next());
            request.Headers.Add("Dx-Purpose", Purpose);
            using var response = await http.SendAsync(request);
            _ = await response.Content.ReadAsByteArrayAsync();
            return response.StatusCode switch
            {
                HttpStatusCode.OK => 1,
                HttpStatusCode.NotFound => 0,
                var status => throw new InvalidOperationException($"lookup answered {(int)status}"),
            };
        },
        _ => ValueTask.CompletedTask);

    internal static Task<Result> HttpBatchAsync(HttpClient consumer, int clients, TimeSpan duration, Keys keys, int batch) => RunClientsAsync(clients, duration,
        _ => Task.FromResult(consumer),
        async http =>
        {
            using var response = await http.PostAsJsonAsync($"/api/v1/datasets/{DatasetId}/lookups", new { purpose = Purpose, keys = Enumerable.Range(0, batch).Select(_ => keys.Next()).ToArray() });
            var body = await response.Content.ReadAsStringAsync();
            if (response.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException($"batch answered {(int)response.StatusCode}: {body}");
            return JsonNode.Parse(body)!["items"]!.AsArray().Count(i => i!["found"]!.GetValue<bool>());
        },
        _ => ValueTask.CompletedTask);

    static HttpClient Client(HttpMessageHandler handler, Uri baseUri, string key)
    {
        var http = new HttpClient(handler, disposeHandler: false) { BaseAddress = baseUri, Timeout = TimeSpan.FromMinutes(2) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return http;
    }

    static int Int(string[] args, string name, int fallback) => Arg(args, name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
}
