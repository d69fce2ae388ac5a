using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using DataExchange.Core.Agencies;
using DataExchange.Core.Hosting;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;

using static DataExchange.Benchmarks.Pull.BenchPeople;

namespace DataExchange.Benchmarks.Pull;

/// <summary>
/// <c>pull --rows N [--no-audit]</c> (<c>--no-audit</c> sets Audit:RecordPulls=false): PostgreSQL <c>COPY (SELECT the version's records) TO STDOUT</c> as the
/// baseline, then the full NDJSON pull of the same snapshot through the HTTP API (real Kestrel on
/// 127.0.0.1) under a policy that hashes one field and filters nothing. Prints
/// <c>pull_vs_copy=R peak_mb=M</c>, R = COPY seconds / pull seconds (1 = as fast as COPY). A second
/// server on the same database reads each stream as one chunk (Pull:StreamChunkRows and StreamChunkBytes
/// past the snapshot: one query, one connection held throughout, as before issue 13); the two are pulled
/// alternately, three times each, and <c>chunked_vs_one_chunk</c> = best one-chunk seconds / best chunked
/// seconds (1 = the chunk boundaries cost nothing).
/// </summary>
public static class PullBenchmark
{
    /// <summary>Runs the benchmark; returns the exit code.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var rows = Arg(args, "--rows") is { } r ? int.Parse(r, CultureInfo.InvariantCulture) : 1_000_000;
        var audited = !args.Contains("--no-audit");
        await using var pg = await EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions { Durable = false });
        await pg.CreateDatabaseAsync("bench");
        var connectionString = pg.ConnectionString("bench");
        // Run from the build output: WebApplicationFactory otherwise looks for the server's project folder.
        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_DATAEXCHANGE_SERVER", AppContext.BaseDirectory);
        var (factory, baseUri) = StartServer(connectionString, audited, new Dictionary<string, string>());
        await using var _ = factory;
        var (oneChunkFactory, oneChunkUri) = StartServer(connectionString, audited, new Dictionary<string, string>
        {
            ["Pull:StreamChunkRows"] = (rows + 1).ToString(CultureInfo.InvariantCulture),
            ["Pull:StreamChunkBytes"] = int.MaxValue.ToString(CultureInfo.InvariantCulture),
        });
        await using var __ = oneChunkFactory;
        var admin = Client(baseUri, (await factory.Services.GetRequiredService<ApiKeyService>().BootstrapAdminAsync())!.Key);
        var people = await BenchPeople.RegisterAsync(admin, key => Client(baseUri, key));

        var seed = Stopwatch.StartNew();
        await SeedAsync(connectionString, rows);
        Console.WriteLine($"seeded {rows} rows in {seed.Elapsed.TotalSeconds:F1} s");
        var consumer = await people.ConsumerAsync("reader", new { masks = new { phone = "hash" } });

        var oneChunk = Client(oneChunkUri, consumer.DefaultRequestHeaders.Authorization!.Parameter!);

        // Warm every path once on a small slice (JIT, plan cache, connection pools).
        await CopyAsync(connectionString, 1000);
        await PullAsync(consumer, 1000);
        await PullAsync(oneChunk, 1000);

        var copy = Stopwatch.StartNew();
        var (copyRows, copyBytes) = await CopyAsync(connectionString, null);
        copy.Stop();
        var pull = Stopwatch.StartNew();
        var (pullRows, pullBytes) = await PullAsync(consumer, null);
        pull.Stop();
        if (copyRows != rows || pullRows != rows) { Console.Error.WriteLine($"row counts differ: copy {copyRows}, pull {pullRows}, expected {rows}"); return 1; }
        var peakMb = Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0);
        Console.WriteLine($"copy: {copy.Elapsed.TotalSeconds:F2} s, {copyBytes / 1e6:F0} MB ({rows / copy.Elapsed.TotalSeconds:F0} rows/s)");
        Console.WriteLine($"pull (HTTP NDJSON, hash mask, {(audited ? "audited" : "not audited")}): {pull.Elapsed.TotalSeconds:F2} s, {pullBytes / 1e6:F0} MB ({rows / pull.Elapsed.TotalSeconds:F0} rows/s)");

        double chunked = pull.Elapsed.TotalSeconds, single = double.MaxValue;
        for (var round = 0; round < 3; round++)
        {
            single = Math.Min(single, await TimedPullAsync(oneChunk, rows));
            if (round > 0) chunked = Math.Min(chunked, await TimedPullAsync(consumer, rows));
        }
        Console.WriteLine($"pull as one chunk (best of 3): {single:F2} s; in chunks of {new DataExchange.Core.Pull.PullOptions().StreamChunkRows} rows (best of 3): {chunked:F2} s");
        Console.WriteLine(FormattableString.Invariant($"pull_vs_copy={copy.Elapsed.TotalSeconds / pull.Elapsed.TotalSeconds:F2} chunked_vs_one_chunk={single / chunked:F2} peak_mb={peakMb:F0}"));
        return 0;
    }

    /// <summary>The server in-process on real Kestrel at a free port, with <paramref name="settings"/>.</summary>
    internal static (WebApplicationFactory<DataExchange.Server.Hosting.ServerRoles> Factory, Uri Address) StartServer(string connectionString, bool audited, Dictionary<string, string> settings,
        Action<IServiceCollection>? services = null)
    {
        var port = FreePort();
        // Any public type of the server assembly names its entry point; the benchmark's own Program would shadow the server's.
        var factory = new WebApplicationFactory<DataExchange.Server.Hosting.ServerRoles>().WithWebHostBuilder(b =>
        {
            b.UseEnvironment("Production");
            b.UseSetting("ConnectionStrings:DataExchange", connectionString);
            b.UseSetting("Logging:LogLevel:Default", "Warning");
            // One HttpLogging line per request (issue 18) would time the console, not the exchange.
            b.UseSetting("Logging:LogLevel:Microsoft.AspNetCore.HttpLogging", "Warning");
            b.UseSetting("urls", $"http://127.0.0.1:{port}");
            // --no-audit: the audit owner's switch, to see what auditing the pull costs.
            b.UseSetting("Audit:RecordPulls", audited ? "true" : "false");
            foreach (var (key, value) in settings) b.UseSetting(key, value);
            if (services is not null) b.ConfigureServices(services);
        });
        factory.UseKestrel(port);
        factory.StartServer();
        return (factory, new Uri($"http://127.0.0.1:{port}"));
    }

    /// <summary>Seconds for the whole NDJSON pull; throws when a row is missing.</summary>
    static async Task<double> TimedPullAsync(HttpClient consumer, int rows)
    {
        var clock = Stopwatch.StartNew();
        var (pulled, _) = await PullAsync(consumer, null);
        if (pulled != rows) throw new InvalidOperationException($"pulled {pulled} rows, expected {rows}");
        return clock.Elapsed.TotalSeconds;
    }

    // The same snapshot predicate and key order as the API's query.
    static async Task<(long Rows, long Bytes)> CopyAsync(string connectionString, int? limit)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        var sql = $"copy (select data::text from dx.records where dataset_id = '{DatasetId}' and valid_from <= 1 and (valid_to is null or valid_to > 1) order by key{(limit is { } l ? " limit " + l.ToString(CultureInfo.InvariantCulture) : "")}) to stdout";
        using var reader = await conn.BeginTextExportAsync(sql);
        var buffer = new char[64 * 1024];
        long rows = 0, chars = 0;
        int n;
        while ((n = await reader.ReadAsync(buffer)) > 0)
        {
            chars += n;
            rows += buffer.AsSpan(0, n).Count('\n');
        }
        return (rows, chars);
    }

    static async Task<(long Rows, long Bytes)> PullAsync(HttpClient consumer, int? limit)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/datasets/{DatasetId}/records?format={(limit is null ? "ndjson" : "json&limit=" + limit)}");
        using var response = await consumer.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        await using var stream = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[64 * 1024];
        long rows = 0, bytes = 0;
        int n;
        while ((n = await stream.ReadAsync(buffer)) > 0)
        {
            bytes += n;
            rows += buffer.AsSpan(0, n).Count((byte)'\n');
        }
        return (rows, bytes);
    }

    internal static HttpClient Client(Uri baseUri, string key)
    {
        var http = new HttpClient { BaseAddress = baseUri, Timeout = TimeSpan.FromMinutes(10) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return http;
    }

    internal static async Task<JsonNode> PostAsync(HttpClient http, string path, object body)
    {
        using var response = await http.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"POST {path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!;
    }

    internal static string? Arg(string[] args, string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;

    static int FreePort()
    {
        using var socket = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        socket.Start();
        return ((System.Net.IPEndPoint)socket.LocalEndpoint).Port;
    }
}
