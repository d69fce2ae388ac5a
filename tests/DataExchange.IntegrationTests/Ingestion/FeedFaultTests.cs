using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Ingestion;

/// <summary>
/// Issue 8, item 1: a feed source that hangs, drops the connection mid-body, or sends a truncated
/// gzip. The attempt fails with an error that names the cause, the run is retried (delays and
/// timeouts shortened to a second here), nothing from the partial payload is published, and once
/// the source is fixed the retry publishes the whole payload.
/// </summary>
[TestFixture, Category("Fault")]
public sealed class FeedFaultTests
{
    const int OldRows = 2000, NewRows = 2500;
    static readonly JsonObject Schema = JsonNode.Parse("""
        {"type":"object","required":["id","name"],"additionalProperties":false,
         "properties":{"id":{"type":"integer"},"name":{"type":"string"}}}
        """)!.AsObject();

    IngestionHarness _h = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _h = await IngestionHarness.StartAsync("ingest_feed_faults", new Dictionary<string, string?>
        {
            ["Feeds:ConnectTimeout"] = "00:00:01",
            ["Feeds:ReadTimeout"] = "00:00:01",
            ["Ingestion:RetryDelays:0"] = "00:00:01",
            ["Ingestion:RetryDelays:1"] = "00:00:01",
            ["Ingestion:RetryDelays:2"] = "00:00:01",
        });
        await _h.Admin.SendAsync(HttpMethod.Put, "/api/v1/feed-hosts", new { hosts = new[] { "127.0.0.1" } });
    }

    [OneTimeTearDown]
    public void Stop() => _h.Dispose();

    static byte[] Csv(int rows, string label)
    {
        var sb = new StringBuilder("id,name\n");
        for (var i = 1; i <= rows; i++) sb.Append(CultureInfo.InvariantCulture, $"{i},{label} {i}\n");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gz = new GZipStream(output, CompressionLevel.Fastest)) gz.Write(data);
        return output.ToArray();
    }

    /// <summary>A feed on <paramref name="server"/> with version 1 (<see cref="OldRows"/> rows) published; the server then serves the new payload under a new ETag.</summary>
    async Task<string> PublishFirstVersionAsync(string name, TinyHttpServer server, byte[] next)
    {
        server.BodyBytes = Csv(OldRows, "old");
        server.ETag = "\"v1\"";
        var id = await _h.RegisterAsync(name, ["id"], Schema, new { source = server.Url + "feed.csv", format = "csv", cron = "0 3 * * *" });
        var first = await _h.RunAsync(id);
        Assert.That(IngestionHarness.Status(first), Is.EqualTo("succeeded"), first.ToJsonString());
        server.BodyBytes = next;
        server.ETag = "\"v2\"";
        return id;
    }

    [TestCase(SourceFault.HangBeforeHeaders, "sent no response within 2 s")]
    [TestCase(SourceFault.HangMidBody, "nothing came for 1 s (Feeds:ReadTimeout)")]
    [TestCase(SourceFault.DropMidBody, "The response ended prematurely")]
    public async Task SourceFailingMidFetch_FailsTheAttemptClearly_IsRetried_AndPublishesOnlyTheWholePayloadOnceFixed(SourceFault fault, string cause)
    {
        await using var server = await TinyHttpServer.StartAsync();
        var id = await PublishFirstVersionAsync("fault-" + fault.ToString().ToLowerInvariant(), server, Csv(NewRows, "new"));
        server.Fault = fault;

        var runId = await QueueAsync(id);
        var retrying = await WaitForRetryAsync(id, runId);
        Assert.That(retrying["error"]!.GetValue<string>(), Does.Contain(cause));
        if (fault != SourceFault.HangBeforeHeaders) Assert.That(retrying["error"]!.GetValue<string>(), Does.Contain($"stopped arriving after {Csv(NewRows, "new").Length / 2} bytes"));
        await AssertOnlyFirstVersionAsync(id);

        server.Fault = SourceFault.None;
        await AssertPublishedWholeAsync(id, runId, server);
    }

    [Test]
    public async Task SourceSendingATruncatedGzip_FailsTheAttemptClearly_IsRetried_AndPublishesOnlyTheWholePayloadOnceFixed()
    {
        await using var server = await TinyHttpServer.StartAsync();
        var whole = Gzip(Csv(NewRows, "new"));
        var id = await PublishFirstVersionAsync("fault-gzip", server, whole[..(whole.Length / 2)]);

        var runId = await QueueAsync(id);
        var retrying = await WaitForRetryAsync(id, runId);
        Assert.That(retrying["error"]!.GetValue<string>(), Does.Contain("gzip payload is truncated"));
        await AssertOnlyFirstVersionAsync(id);

        // Fixed under the same ETag (a proxy had cut the transfer): the retry must not be answered 304.
        server.BodyBytes = whole;
        await AssertPublishedWholeAsync(id, runId, server);
    }

    [Test]
    public async Task SourceThatStaysBroken_EndsFailedAfterEveryRetry_WithItsCause_AndNothingPublished()
    {
        await using var server = await TinyHttpServer.StartAsync();
        var id = await PublishFirstVersionAsync("fault-broken", server, Csv(NewRows, "new"));
        server.Fault = SourceFault.DropMidBody;
        var requestsBefore = server.Requests;

        var run = await _h.Steward.WaitForRunAsync(id, await QueueAsync(id), TimeSpan.FromSeconds(60));
        Assert.Multiple(() =>
        {
            Assert.That(IngestionHarness.Status(run), Is.EqualTo("failed"), run.ToJsonString());
            Assert.That(run["error"]!.GetValue<string>(), Does.StartWith("Failed after 4 attempts: The payload stopped arriving after"));
            Assert.That(server.Requests - requestsBefore, Is.EqualTo(4), "one attempt and three retries");
        });
        await AssertOnlyFirstVersionAsync(id);
    }

    async Task<string> QueueAsync(string id) =>
        (await _h.Steward.PostAsync($"/api/v1/datasets/{id}/runs", null, HttpStatusCode.Accepted))["id"]!.GetValue<string>();

    /// <summary>Waits until the run's first attempt has failed and the run is queued again for a retry.</summary>
    async Task<JsonNode> WaitForRetryAsync(string id, string runId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var run = await _h.Steward.GetAsync($"/api/v1/datasets/{id}/runs/{runId}");
            if (run["error"]?.GetValue<string>() is { } error && error.StartsWith("Retrying after: ", StringComparison.Ordinal)) return run;
            if (DateTime.UtcNow > deadline || IngestionHarness.Status(run) is "succeeded" or "failed" or "unchanged") Assert.Fail($"The run was not retried: {run.ToJsonString()}");
            await Task.Delay(50);
        }
    }

    async Task AssertOnlyFirstVersionAsync(string id)
    {
        var cs = _h.ConnectionString;
        Assert.Multiple(async () =>
        {
            Assert.That(await FaultProbe.VersionsAsync(cs, id), Is.EqualTo(1), "nothing from the partial payload was published");
            Assert.That(await FaultProbe.CurrentRowsAsync(cs, id), Is.EqualTo(OldRows));
            Assert.That(await FaultProbe.ScalarAsync(cs, "select count(*) from dx.records where dataset_id = $1 and data->>'name' like 'new %'", id), Is.EqualTo(0));
        });
    }

    async Task AssertPublishedWholeAsync(string id, string runId, TinyHttpServer server)
    {
        var run = await _h.Steward.WaitForRunAsync(id, runId, TimeSpan.FromSeconds(60));
        var cs = _h.ConnectionString;
        Assert.Multiple(async () =>
        {
            Assert.That(IngestionHarness.Status(run), Is.EqualTo("succeeded"), run.ToJsonString());
            Assert.That(run["publishedVersion"]!.GetValue<int>(), Is.EqualTo(2));
            Assert.That(IngestionHarness.Count(run, "updated"), Is.EqualTo(OldRows));
            Assert.That(IngestionHarness.Count(run, "inserted"), Is.EqualTo(NewRows - OldRows));
            Assert.That(await FaultProbe.VersionsAsync(cs, id), Is.EqualTo(2));
            Assert.That(await FaultProbe.CurrentRowsAsync(cs, id), Is.EqualTo(NewRows));
            Assert.That(await FaultProbe.ScalarAsync(cs, "select count(*) from dx.records where dataset_id = $1 and valid_to is null and data->>'name' like 'new %'", id), Is.EqualTo(NewRows));
            Assert.That(await FaultProbe.OrphanRowsAsync(cs, id), Is.EqualTo(0));
            Assert.That(await FaultProbe.AttemptsAsync(cs, id, runId), Is.GreaterThanOrEqualTo(2), "the run was retried");
            Assert.That(server.Requests, Is.GreaterThanOrEqualTo(3), "the first version, the faulty attempt and the retry each fetched");
        });
    }
}
