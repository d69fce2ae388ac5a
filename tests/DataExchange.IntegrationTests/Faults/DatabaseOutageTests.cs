using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using DataExchange.Core.Hosting;
using DataExchange.IntegrationTests.Hosting;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Faults;

/// <summary>
/// Issue 8: PostgreSQL goes away during pulls. Clients get 503 with Retry-After (never a hang or a
/// 500), readiness reports it, and the service recovers by itself once the database is back.
/// Runs on a cluster of its own, since stopping the shared one would disturb other fixtures: so it starts its server
/// itself rather than on <see cref="ExchangeFixture"/>, whose databases are on the shared cluster.
/// </summary>
[TestFixture, Category("Fault")]
public sealed class DatabaseOutageTests
{
    EmbeddedPostgres _cluster = null!;
    ExchangeFactory _factory = null!;
    ApiClient _steward = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _cluster = await EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions { Durable = false });
        await _cluster.CreateDatabaseAsync("outage");
        // A short invisibility timeout: a job whose worker lost the database mid-run is handed out again quickly.
        // Reading at 1 MB/s keeps the 3.6 MB run of the restart test reading for seconds, whatever the machine.
        _factory = new ExchangeFactory(_cluster.ConnectionString("outage") + ";Timeout=3;Command Timeout=30",
            new Dictionary<string, string?> { ["Hangfire:InvisibilityTimeout"] = "00:00:05", ["Ingestion:MaxReadBytesPerSecond"] = "1000000" });
        _steward = await (await _factory.BootstrapAdminAsync()).NewAgencyAsync("gd-out", "Outage");
        File.WriteAllText(_factory.DropFile("gd-out", "o.csv"), "id,name\n1,a\n2,b\n3,c\n");
        await _steward.PostAsync("/api/v1/datasets", new
        {
            id = "gd-out.items", title = "Items", keyFields = new[] { "id" }, classification = "internal",
            schema = System.Text.Json.Nodes.JsonNode.Parse("""{"type":"object","properties":{"id":{"type":"integer"},"name":{"type":"string"}},"required":["id"]}"""),
            feed = new { source = "file:gd-out/o.csv", cron = "0 1 * * *" },
        });
        var run = await _steward.PostAsync("/api/v1/datasets/gd-out.items/runs", null, HttpStatusCode.Accepted);
        await _steward.WaitForRunAsync("gd-out.items", run["id"]!.GetValue<string>());
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _factory.Dispose();
        await _cluster.DisposeAsync();
    }

    [Test]
    public async Task DatabaseRestartDuringARun_TheRunStillEndsWithExactlyOneNewVersion()
    {
        var sb = new System.Text.StringBuilder("id,name\n");
        for (var i = 1; i <= 300_000; i++) sb.Append(System.Globalization.CultureInfo.InvariantCulture, $"{i},row {i}\n");
        File.WriteAllText(_factory.DropFile("gd-out", "o.csv"), sb.ToString());
        var queued = await _steward.PostAsync("/api/v1/datasets/gd-out.items/runs", null, HttpStatusCode.Accepted);
        var runId = queued["id"]!.GetValue<string>();
        // Stopped while the run is reading its payload (rows already staged), not before or after it: the run says so.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        JsonNode reading;
        do
        {
            await Task.Delay(50);
            reading = await _steward.GetAsync($"/api/v1/datasets/gd-out.items/runs/{runId}");
        } while (!(reading["progress"]?["phase"]?.GetValue<string>() == "reading" && reading["progress"]!["bytesRead"]!.GetValue<long>() > 0)
            && DateTime.UtcNow < deadline);
        Assert.That(reading["status"]!.GetValue<string>(), Is.EqualTo("running"), reading.ToJsonString());
        await _cluster.PauseAsync();
        try
        {
            // Down until the exchange itself has seen it: readiness answers 503.
            await WaitForReadinessAsync(HttpStatusCode.ServiceUnavailable);
        }
        finally
        {
            await _cluster.ResumeAsync();
        }

        JsonNode run = null!;
        var until = DateTime.UtcNow.AddSeconds(120);
        while (DateTime.UtcNow < until)
        {
            var (status, body, _) = await _steward.SendAsync(HttpMethod.Get, $"/api/v1/datasets/gd-out.items/runs/{runId}");
            if (status == HttpStatusCode.OK && body!["status"]!.GetValue<string>() is "succeeded" or "failed" or "unchanged") { run = body; break; }
            await Task.Delay(250);
        }
        Assert.That(run, Is.Not.Null, "the run finished after the restart");
        Assert.That(run["status"]!.GetValue<string>(), Is.EqualTo("succeeded"), run.ToJsonString());
        var versions = await _steward.GetAsync("/api/v1/datasets/gd-out.items/versions");
        Assert.That(versions["items"]!.AsArray().Count(v => v!["runId"]!.GetValue<string>() == runId), Is.EqualTo(1), "exactly one version for the run");
        Assert.That(versions["items"]![0]!["counts"]!["total"]!.GetValue<long>(), Is.EqualTo(300_000), "all rows, none twice");
    }

    [Test]
    public async Task DatabaseOutage_Answers503WithRetryAfter_AndRecoversByItself()
    {
        Assert.That((await _steward.SendAsync(HttpMethod.Get, "/api/v1/datasets/gd-out.items/records")).Status, Is.EqualTo(HttpStatusCode.OK));

        await _cluster.PauseAsync();
        try
        {
            var (status, problem, response) = await _steward.SendAsync(HttpMethod.Get, "/api/v1/datasets/gd-out.items/records");
            Assert.That(status, Is.EqualTo(HttpStatusCode.ServiceUnavailable), problem?.ToJsonString());
            Assert.That(response.Headers.RetryAfter, Is.Not.Null);
            Assert.That(problem!["type"]!.GetValue<string>(), Is.EqualTo("urn:dataexchange:problem:database-unavailable"));
            var ready = await _factory.CreateClient().GetAsync("/health/ready");
            Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        }
        finally
        {
            await _cluster.ResumeAsync();
        }

        // Polled until a page is served again, with nothing done to help it; two minutes is a hang guard, not a claim about speed.
        var clock = Stopwatch.StartNew();
        using var hang = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        HttpStatusCode last;
        while ((last = (await _steward.SendAsync(HttpMethod.Get, "/api/v1/datasets/gd-out.items/records")).Status) != HttpStatusCode.OK)
        {
            Assert.That(last, Is.EqualTo(HttpStatusCode.ServiceUnavailable), "while recovering, only 503");
            Assert.That(hang.IsCancellationRequested, Is.False, "still 503 two minutes after PostgreSQL came back: the exchange did not recover by itself");
            await Task.Delay(200);
        }
        var page = await _steward.GetAsync("/api/v1/datasets/gd-out.items/records");
        Assert.That(page["items"]!.AsArray(), Has.Count.EqualTo(3), "nothing lost");
        TestContext.Out.WriteLine($"Recovered {clock.ElapsedMilliseconds} ms after PostgreSQL came back.");
    }

    // Polls /health/ready until it answers <paramref name="expected"/>; 60 s is a hang guard, not a timing assertion.
    async Task WaitForReadinessAsync(HttpStatusCode expected)
    {
        using var client = _factory.CreateClient();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        HttpStatusCode status;
        do
        {
            status = (await client.GetAsync("/health/ready")).StatusCode;
            if (status == expected) return;
            await Task.Delay(100);
        } while (DateTime.UtcNow < deadline);
        Assert.That(status, Is.EqualTo(expected), "/health/ready");
    }
}
