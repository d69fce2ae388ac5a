using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Ingestion;

/// <summary>
/// Issue 12: a payload with bytes its encoding cannot decode, or one cut short, fails its run and publishes
/// nothing; the previous version, its rows and the change feed stay as they were.
/// </summary>
[TestFixture]
public sealed class StrictPayloadTests
{
    static readonly JsonObject Schema = JsonNode.Parse("""
        {"type":"object","required":["code","name"],"additionalProperties":false,
         "properties":{"code":{"type":"string"},"name":{"type":"string"}}}
        """)!.AsObject();

    static readonly Encoding Gb18030 = GetGb18030();

    IngestionHarness _h = null!;

    static Encoding GetGb18030()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return Encoding.GetEncoding("GB18030");
    }

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        // Retries a second apart, for the fetched payload that is cut short and whole on the next fetch.
        _h = await IngestionHarness.StartAsync("ingest_strict", new Dictionary<string, string?>
        {
            ["Ingestion:RetryDelays:0"] = "00:00:01",
            ["Ingestion:RetryDelays:1"] = "00:00:01",
            ["Ingestion:RetryDelays:2"] = "00:00:01",
        });
        await _h.Admin.SendAsync(HttpMethod.Put, "/api/v1/feed-hosts", new { hosts = new[] { "127.0.0.1" } });
    }

    [OneTimeTearDown]
    public void Stop() => _h.Dispose();

    public sealed record BadPayload(string Name, string Format, string Encoding, byte[] Bytes, string Error)
    {
        public override string ToString() => Name;
    }

    static IEnumerable<BadPayload> BadPayloads()
    {
        yield return new("gb18030-in-utf8-csv", "csv", "utf-8", Gb18030.GetBytes("code,name\nA,广州\nB,b\nC,c\n"),
            "The payload is not valid UTF-8: byte 0xB9 at offset 12 (line 2).");
        yield return new("invalid-gb18030", "csv", "gb18030", [.. Gb18030.GetBytes("code,name\nA,广州\n"), (byte)'B', (byte)',', 0x81, 0x20, (byte)'\n'],
            "The payload is not valid GB18030: byte 0x81 at offset 19 (line 3).");
        yield return new("eof-in-quoted-field", "csv", "utf-8", Encoding.UTF8.GetBytes("code,name\nA,\"a\nB,b\nC,c\n"),
            "The CSV payload is truncated: it ends inside a quoted field opened on line 2");
        yield return new("unclosed-json-array", "json", "utf-8", Encoding.UTF8.GetBytes("[{\"code\":\"A\",\"name\":\"a\"},\n{\"code\":\"B\""),
            "The JSON array is truncated: the payload ends at line 2 before the closing ], after 1 complete elements");
        yield return new("malformed-json-array", "json", "utf-8", Encoding.UTF8.GetBytes("[{\"code\":\"A\",\"name\":\"a\"},\n{\"code\":B}]"),
            "The JSON array is malformed at line 2");
        yield return new("cut-ndjson-line", "ndjson", "utf-8", Encoding.UTF8.GetBytes("{\"code\":\"A\",\"name\":\"a\"}\n{\"code\":\"B\",\"na"),
            "The NDJSON payload is truncated: its last line, line 2,");
    }

    static string GoodPayload(string format) => format switch
    {
        "json" => """[{"code":"A","name":"one"},{"code":"B","name":"two"},{"code":"C","name":"three"}]""",
        "ndjson" => "{\"code\":\"A\",\"name\":\"one\"}\n{\"code\":\"B\",\"name\":\"two\"}\n{\"code\":\"C\",\"name\":\"three\"}\n",
        _ => "code,name\nA,one\nB,two\nC,three\n",
    };

    [TestCaseSource(nameof(BadPayloads))]
    public async Task ABadPayload_FailsItsRunAtOnce_AndLeavesThePublishedVersionAsItWas(BadPayload bad)
    {
        // No reject threshold: what stops a bad payload must be the reader, not the share of rows the validator rejects.
        var feed = new { source = "upload", format = bad.Format, encoding = bad.Encoding, rejectThreshold = 1.0 };
        var id = await _h.RegisterAsync(bad.Name, ["code"], Schema, feed);
        var good = GoodPayload(bad.Format);
        var first = await PushBytesAsync(id, bad.Encoding == "gb18030" ? Gb18030.GetBytes(good) : Encoding.UTF8.GetBytes(good));
        Assert.That(IngestionHarness.Status(first), Is.EqualTo("succeeded"), first.ToJsonString());
        var before = await _h.RecordsAsync(id);

        var run = await PushBytesAsync(id, bad.Bytes);

        var after = await _h.RecordsAsync(id);
        var versions = (await _h.Steward.GetAsync($"/api/v1/datasets/{id}/versions"))["items"]!.AsArray();
        var changes = (await _h.Steward.GetAsync($"/api/v1/datasets/{id}/changes?since=1"))["items"]!.AsArray();
        Assert.Multiple(() =>
        {
            Assert.That(IngestionHarness.Status(run), Is.EqualTo("failed"), run.ToJsonString());
            // Not "Failed after 4 attempts": a payload problem fails the first attempt, and an upload cut short is the same bytes next time.
            Assert.That(run["error"]!.GetValue<string>(), Does.StartWith(bad.Error));
            Assert.That(run["publishedVersion"], Is.Null);
            Assert.That(versions, Has.Count.EqualTo(1));
            Assert.That(after.Select(r => r.ToJsonString()), Is.EqualTo(before.Select(r => r.ToJsonString())));
            Assert.That(after.Select(r => r["name"]!.GetValue<string>()), Is.EquivalentTo(new[] { "one", "two", "three" }));
            Assert.That(changes, Is.Empty);
        });
    }

    [Test]
    public async Task AFetchedCsvCutInsideAQuotedField_IsRetried_AndOnlyTheWholePayloadIsPublished()
    {
        await using var server = await TinyHttpServer.StartAsync();
        (server.BodyBytes, server.ETag) = (Encoding.UTF8.GetBytes(GoodPayload("csv")), "\"v1\"");
        var id = await _h.RegisterAsync("fetched-cut", ["code"], Schema, new { source = server.Url + "feed.csv", format = "csv", cron = "0 3 * * *" });
        Assert.That(IngestionHarness.Status(await _h.RunAsync(id)), Is.EqualTo("succeeded"));
        // The source was still writing its file: the fetch stops inside B's quoted name, and C is not there yet.
        (server.BodyBytes, server.ETag) = (Encoding.UTF8.GetBytes("code,name\nA,uno\nB,\"dos,"), "\"v2\"");

        var runId = (await _h.Steward.PostAsync($"/api/v1/datasets/{id}/runs", null, HttpStatusCode.Accepted))["id"]!.GetValue<string>();
        var retrying = await WaitForRetryAsync(id, runId);
        var during = await _h.RecordsAsync(id);
        server.BodyBytes = Encoding.UTF8.GetBytes("code,name\nA,uno\nB,\"dos, y mas\"\nC,tres\n");
        var run = await _h.Steward.WaitForRunAsync(id, runId, TimeSpan.FromSeconds(60));

        Assert.Multiple(async () =>
        {
            Assert.That(retrying["error"]!.GetValue<string>(), Does.Contain("The CSV payload is truncated: it ends inside a quoted field opened on line 3"));
            Assert.That(during.Select(r => r["name"]!.GetValue<string>()), Is.EquivalentTo(new[] { "one", "two", "three" }), "nothing from the cut payload");
            Assert.That(IngestionHarness.Status(run), Is.EqualTo("succeeded"), run.ToJsonString());
            Assert.That(run["publishedVersion"]!.GetValue<int>(), Is.EqualTo(2));
            Assert.That((await _h.RecordsAsync(id)).Select(r => r["name"]!.GetValue<string>()), Is.EquivalentTo(new[] { "uno", "dos, y mas", "tres" }));
        });
    }

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

    async Task<JsonNode> PushBytesAsync(string datasetId, byte[] bytes)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        var (status, body, _) = await _h.Steward.SendAsync(HttpMethod.Post, $"/api/v1/datasets/{datasetId}/uploads", content: content);
        Assert.That(status, Is.EqualTo(HttpStatusCode.Accepted), body?.ToJsonString());
        return await _h.Steward.WaitForRunAsync(datasetId, body!["id"]!.GetValue<string>());
    }
}
