using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using DataExchange.IntegrationTests.Hosting;
using DataExchange.IntegrationTests.Pull;
using Npgsql;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Operations;

/// <summary>
/// Issue 18 ("what to build beyond the fixes"): after a real run and real pulls, <c>/metrics</c> (Prometheus
/// text, the operator's admin key) holds their counters with the values the run and the pulls had, the audit
/// appends as the database holds them, Hangfire's queue and Npgsql's pool.
/// </summary>
[TestFixture]
public sealed partial class MetricsTests
{
    const string Dataset = "own.metered";

    [Test]
    public async Task AfterARunAndPulls_MetricsHoldTheirCounts()
    {
        await using var bed = await PullTestBed.StartAsync("metrics");
        await bed.RegisterAsync(Dataset);
        // 20 rows, one of them invalid (age is an integer): read 20, rejected 1, published 19 inserts.
        var rows = Enumerable.Range(1, 20).Select(i => (object)(i == 7 ? new { id = $"p{i}", name = $"Person {i}", age = (object)"seven" } : new { id = $"p{i}", name = $"Person {i}", age = (object)i })).ToArray();
        await bed.PublishToAsync(Dataset, rows);
        var consumer = await bed.NewConsumerAsync("metering");
        await bed.SubscribeAsync(consumer, new { fields = new[] { "id", "name" } }, datasetId: Dataset);

        var stream = await consumer.GetRawAsync($"/api/v1/datasets/{Dataset}/records.ndjson");
        var streamed = await stream.Content.ReadAsByteArrayAsync();
        Assert.That(stream.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var page = await consumer.GetRawAsync($"/api/v1/datasets/{Dataset}/records?limit=5");
        Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        var (status, text) = await ScrapeAsync(bed.Admin.Http, bed.Admin);
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), text);
        var metrics = Parse(text);
        string D(string labels = "") => $"dataset=\"{Dataset}\"" + labels;

        Assert.That(Value(metrics, "dx_runs_total", D(), "status=\"succeeded\"", "trigger=\"upload\""), Is.EqualTo(1));
        Assert.That(Value(metrics, "dx_run_records_read_total", D()), Is.EqualTo(20));
        Assert.That(Value(metrics, "dx_run_records_rejected_total", D()), Is.EqualTo(1));
        Assert.That(Value(metrics, "dx_run_records_published_total", D()), Is.EqualTo(19));
        foreach (var phase in new[] { "fetch", "stage", "validate", "dedupe", "diff", "publish" })
            Assert.That(Value(metrics, "dx_ingestion_phase_duration_seconds_count", D(), $"phase=\"{phase}\""), Is.EqualTo(1), phase);

        var ndjson = new[] { D(), "list=\"records\"", "format=\"ndjson\"", "outcome=\"completed\"" };
        Assert.That(Value(metrics, "dx_pulls_total", ndjson), Is.EqualTo(1));
        Assert.That(Value(metrics, "dx_pull_rows_total", ndjson), Is.EqualTo(19));
        Assert.That(Value(metrics, "dx_pull_bytes_total", ndjson), Is.EqualTo(streamed.Length), "the bytes the stream wrote");
        Assert.That(Value(metrics, "dx_pull_duration_seconds_count", ndjson), Is.EqualTo(1));
        Assert.That(Value(metrics, "dx_pull_rows_total", D(), "list=\"records\"", "format=\"json\"", "outcome=\"completed\""), Is.EqualTo(5));

        // Every entry of this database's chain was counted once, by action.
        await using var db = new NpgsqlConnection(bed.ConnectionString);
        await db.OpenAsync();
        await using (var cmd = new NpgsqlCommand("select action, outcome, count(*) from dx.audit_log group by action, outcome", db))
        await using (var r = await cmd.ExecuteReaderAsync())
            while (await r.ReadAsync())
                Assert.That(Value(metrics, "dx_audit_appends_total", $"action=\"{r.GetString(0)}\"", $"outcome=\"{r.GetString(1)}\""), Is.EqualTo(r.GetInt64(2)), r.GetString(0));

        Assert.That(Value(metrics, "dx_hangfire_queue_length", "queue=\"default\""), Is.GreaterThanOrEqualTo(0));
        Assert.That(metrics.Keys, Has.Some.Matches<string>(k => k is not null && k.StartsWith("db_client_connection_count{", StringComparison.Ordinal) && k.Contains("dataexchange", StringComparison.Ordinal)),
            "Npgsql's pool metrics of the exchange's data source");
    }

    [Test]
    public async Task Metrics_OnTheApiPort_NeedTheOperatorsAdminKey()
    {
        await using var bed = await PullTestBed.StartAsync("metricsauth");
        var anonymous = bed.Admin.Http;
        Assert.That((await ScrapeAsync(anonymous, null)).Status, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That((await ScrapeAsync(anonymous, bed.Steward)).Status, Is.EqualTo(HttpStatusCode.Forbidden), "a steward");
        var agencyAdmin = await bed.KeyAsync("own", "admin");
        Assert.That((await ScrapeAsync(anonymous, agencyAdmin)).Status, Is.EqualTo(HttpStatusCode.Forbidden), "an agency's own admin");
        Assert.That((await ScrapeAsync(anonymous, bed.Admin)).Status, Is.EqualTo(HttpStatusCode.OK), "the operator's admin");
    }

    [Test, CancelAfter(180_000)]
    public async Task MetricsPort_AnswersMetricsWithoutAKey_AndNothingElse(CancellationToken cancellationToken)
    {
        var port = ServerProcess.FreePort();
        var (server, api) = await ServerProcess.StartApiAsync(await TestCluster.CreateDatabaseAsync("metricsport"), cancellationToken,
            new Dictionary<string, string> { ["Metrics:Port"] = port.ToString(CultureInfo.InvariantCulture) });
        await using (server)
        {
            using var http = new HttpClient();
            var metrics = new Uri($"http://127.0.0.1:{port}");
            Assert.That(server.Lines, Has.Some.Contains($"Now listening on: {metrics.ToString().TrimEnd('/')}"), "bound to 127.0.0.1 by default");
            var scrape = await http.GetAsync(new Uri(metrics, "/metrics"), cancellationToken);
            Assert.That(scrape.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await scrape.Content.ReadAsStringAsync(cancellationToken), Does.Contain("dx_hangfire_queue_length{"));
            foreach (var path in new[] { "/api/v1/datasets", "/api/v1/me", "/console", "/hangfire", "/health/ready", "/openapi/v1.json", "/.well-known/dataexchange/audit-key" })
                Assert.That((await http.GetAsync(new Uri(metrics, path), cancellationToken)).StatusCode, Is.EqualTo(HttpStatusCode.NotFound), path);
            Assert.That((await http.GetAsync(new Uri(api, "/metrics"), cancellationToken)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "the API port still wants a key");
            Assert.That((await http.GetAsync(new Uri(api, "/health/ready"), cancellationToken)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }
    }

    internal static async Task<(HttpStatusCode Status, string Text)> ScrapeAsync(HttpClient http, ApiClient? key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        if (key is not null) request.Headers.Authorization = new("Bearer", key.Key);
        using var response = await http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Samples of the Prometheus text format: "name{labels}" → value.</summary>
    internal static Dictionary<string, double> Parse(string text) =>
        text.Split('\n').Where(l => l.Length > 0 && l[0] != '#').Select(l => Sample().Match(l)).Where(m => m.Success)
            .ToDictionary(m => m.Groups[1].Value, m => double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));

    /// <summary>The value of the one sample of <paramref name="name"/> whose labels include all of <paramref name="labels"/>.</summary>
    internal static double Value(Dictionary<string, double> metrics, string name, params string[] labels)
    {
        var matches = metrics.Where(m => (m.Key == name || m.Key.StartsWith(name + "{", StringComparison.Ordinal)) && labels.All(l => m.Key.Contains(l, StringComparison.Ordinal))).ToList();
        Assert.That(matches, Has.Count.EqualTo(1), $"{name} with {string.Join(",", labels)}: {string.Join("\n", metrics.Keys.Where(k => k.StartsWith(name, StringComparison.Ordinal)))}");
        return matches[0].Value;
    }

    [GeneratedRegex(@"^(\S+(?:\{.*\})?)\s+(\S+)(?:\s+\d+)?$")]
    private static partial Regex Sample();
}
