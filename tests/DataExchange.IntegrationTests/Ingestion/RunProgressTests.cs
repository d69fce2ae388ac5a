using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using DataExchange.IntegrationTests.Cli;
using DataExchange.IntegrationTests.Console;
using Microsoft.Playwright;
using DataExchange.IntegrationTests.Hosting;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Ingestion;

/// <summary>
/// Issue 18, item 4: a 400,000-row push showed "running · 0 records read" for 21 s, then the final count. While it
/// reads, a run reports records read and rejected, rows/s and, with the payload's size known, how far through it is —
/// in the runs API and in <c>dx feed push --watch</c>.
/// </summary>
[TestFixture]
public sealed class RunProgressTests
{
    const int Rows = 200_000;
    const int Invalid = 50;
    KestrelExchange _exchange = null!;
    ApiClient _steward = null!;
    string _key = null!, _dir = null!, _payload = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _exchange = await KestrelExchange.StartAsync("run_progress", new Dictionary<string, string?>
        {
            ["Ingestion:ProgressInterval"] = "00:00:00.200",
            // ~2 MB/s: the ~5 MB payload takes over two seconds to read however fast the machine, so the watchers below
            // (dx polls every 500 ms) see the run while it reads (a fast CI machine read it all in 0.3 s).
            ["Ingestion:MaxReadBytesPerSecond"] = "2000000",
        });
        _key = await _exchange.KeyAsync("gd-prog", "steward");
        _steward = _exchange.Client(_key);
        _dir = Directory.CreateTempSubdirectory("dx-progress-").FullName;
        _payload = Path.Combine(_dir, "big.csv");
        var csv = new StringBuilder("code,name,n\n");
        for (var i = 0; i < Rows; i++) csv.Append("c").Append(i).Append(",name ").Append(i).Append(',').Append(i % (Rows / Invalid) == 7 ? "x" : i.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
        await File.WriteAllTextAsync(_payload, csv.ToString());
    }

    [OneTimeTearDown]
    public void Stop()
    {
        _exchange.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    async Task<string> RegisterAsync(string name)
    {
        var id = $"gd-prog.{name}";
        await _steward.PostAsync("/api/v1/datasets", new
        {
            id, title = name, keyFields = new[] { "code" }, classification = "internal",
            schema = JsonNode.Parse("""{"type":"object","required":["code","n"],"properties":{"code":{"type":"string"},"name":{"type":"string"},"n":{"type":"integer"}}}"""),
            feed = new { source = "upload", format = "csv" },
        });
        return id;
    }

    [Test, CancelAfter(300_000)]
    public async Task ARunningRun_ReportsRecordsReadRejectedRateAndShare_ThroughTheApi(CancellationToken cancellationToken)
    {
        var id = await RegisterAsync("api");
        var content = new StreamContent(File.OpenRead(_payload));
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        var (status, accepted, _) = await _steward.SendAsync(HttpMethod.Post, $"/api/v1/datasets/{id}/uploads", content: content);
        Assert.That(status, Is.EqualTo(HttpStatusCode.Accepted), accepted?.ToJsonString());
        var runId = accepted!["id"]!.GetValue<string>();

        var seen = new List<JsonNode>();
        JsonNode run;
        do
        {
            run = await _steward.GetAsync($"/api/v1/datasets/{id}/runs/{runId}");
            seen.Add(run);
            await Task.Delay(100, cancellationToken);
        }
        while (run["status"]!.GetValue<string>() is "queued" or "running");
        Assert.That(run["status"]!.GetValue<string>(), Is.EqualTo("succeeded"), run.ToJsonString());
        Assert.That(run["counts"]!["read"]!.GetValue<long>(), Is.EqualTo(Rows));
        Assert.That(run["progress"], Is.Null, "a finished run has counts, not progress");

        var reading = seen.Where(r => r["status"]!.GetValue<string>() == "running" && r["progress"]?["phase"]?.GetValue<string>() == "reading").ToList();
        Assert.That(reading, Is.Not.Empty, "the run was seen reading: " + string.Join("\n", seen.Select(s => s.ToJsonString()).Distinct()));
        var partway = reading.FirstOrDefault(r => r["counts"]!["read"]!.GetValue<long>() is > 0 and < Rows);
        Assert.That(partway, Is.Not.Null, "records read were reported before the end: " + string.Join("\n", reading.Select(s => s.ToJsonString())));
        var progress = partway!["progress"]!;
        Assert.That(progress["rowsPerSecond"]!.GetValue<double>(), Is.GreaterThan(0));
        Assert.That(progress["payloadBytes"]!.GetValue<long>(), Is.EqualTo(new FileInfo(_payload).Length));
        Assert.That(progress["bytesRead"]!.GetValue<long>(), Is.GreaterThan(0).And.LessThanOrEqualTo(new FileInfo(_payload).Length));
        Assert.That(progress["secondsLeft"]!.GetValue<double>(), Is.GreaterThanOrEqualTo(0));
        var reads = seen.Select(r => r["counts"]!["read"]!.GetValue<long>()).ToList();
        Assert.That(reads, Is.Ordered, "the count only grows");
        Assert.That(seen.Select(r => r["counts"]!["rejected"]!.GetValue<long>()).Max(), Is.EqualTo(Invalid));
    }

    [Test, CancelAfter(300_000)]
    public async Task DxFeedPushWatch_ShowsTheRunningCounts(CancellationToken cancellationToken)
    {
        var id = await RegisterAsync("cli");
        var dx = new DxProcess(Path.Combine(_dir, "config.json"));
        var watched = await dx.RunAsync(["feed", "push", id, _payload, "--watch"], _key, server: _exchange.Address);
        Assert.That(watched.ExitCode, Is.Zero, watched.ToString());
        var progressLines = watched.Stderr.Split('\n').Where(l => l.Contains("rows/s", StringComparison.Ordinal)).ToList();
        Assert.That(progressLines, Is.Not.Empty, watched.ToString());
        Assert.That(progressLines, Has.Some.Contains("rejected"), watched.ToString());
        Assert.That(progressLines, Has.Some.Match(@"running · reading · [\d,]+ read"), watched.ToString());
        Assert.That(progressLines.Select(l => long.Parse(System.Text.RegularExpressions.Regex.Match(l, @"([\d,]+) read").Groups[1].Value.Replace(",", "", StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture)),
            Has.Some.InRange(1, Rows - 1), "a count before the end was shown\n" + watched);
    }

    [Test, CancelAfter(300_000), Category(TestCategories.Browser)]
    public async Task TheConsoleRunsPage_ShowsARunningRunsProgress_AndFollowsItToTheEnd(CancellationToken cancellationToken)
    {
        var id = await RegisterAsync("console");
        await using var browser = await ConsoleBrowser.LaunchAsync();
        var page = await browser.NewPageAsync(_exchange.Address);
        await ConsoleBrowser.SignInAsync(page, _key);

        var content = new StreamContent(File.OpenRead(_payload));
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        var (_, accepted, _) = await _steward.SendAsync(HttpMethod.Post, $"/api/v1/datasets/{id}/uploads", content: content);
        var runId = accepted!["id"]!.GetValue<string>();
        while ((await _steward.GetAsync($"/api/v1/datasets/{id}/runs/{runId}"))["progress"] is null)
            await Task.Delay(50, cancellationToken);

        await page.GotoAsync($"/console/datasets/{id}/runs");
        var row = page.GetByRole(AriaRole.Row).Filter(new() { HasText = "running" });
        await Assertions.Expect(row.Locator(".progress")).ToContainTextAsync("rows/s");
        // No reload by hand: the page refreshes itself while a run is running, and ends on the outcome.
        await Assertions.Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = "succeeded" })).ToContainTextAsync(Rows.ToString("N0", System.Globalization.CultureInfo.InvariantCulture),
            new() { Timeout = 120_000 });
        await Assertions.Expect(page.Locator(".progress")).ToHaveCountAsync(0);
    }
}
