using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Ingestion;

/// <summary>Issue 4, items 2 and 6: payload formats and encodings, and the quarantine a steward reads.</summary>
[TestFixture]
public sealed class FormatTests
{
    static readonly JsonObject Schema = JsonNode.Parse("""
        {"type":"object","required":["code","name","beds"],"additionalProperties":false,
         "properties":{"code":{"type":"string"},"name":{"type":"string"},"beds":{"type":"integer","minimum":0}}}
        """)!.AsObject();

    IngestionHarness _h = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _h = await IngestionHarness.StartAsync("ingest_formats");

    [OneTimeTearDown]
    public void Stop() => _h.Dispose();

    [Test]
    public async Task Gb18030CsvWithSemicolonsAndQuotes_IsReadIntoUnicode()
    {
        var id = await _h.RegisterAsync("gbk", ["code"], Schema, new { source = "upload", format = "csv", delimiter = ";", quote = "'", encoding = "gb18030" });
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var bytes = Encoding.GetEncoding("GB18030").GetBytes("code;name;beds\nA;'广州市第一人民医院; 越秀';1200\nB;深圳医院;80\n");
        var run = await PushBytesAsync(id, bytes);
        Assert.That(IngestionHarness.Status(run), Is.EqualTo("succeeded"), run.ToJsonString());
        var names = (await _h.RecordsAsync(id)).Select(r => r["name"]!.GetValue<string>());
        Assert.That(names, Is.EquivalentTo(new[] { "广州市第一人民医院; 越秀", "深圳医院" }));
    }

    [Test]
    public async Task GzippedNdjsonAndJsonArray_AreRead_AndBadRecordsAreQuarantinedWithLineAndPointer()
    {
        var ndjson = await _h.RegisterAsync("ndjson", ["code"], Schema, new { source = "upload", format = "ndjson", rejectThreshold = 0.5 });
        using var gz = new MemoryStream();
        await using (var zip = new GZipStream(gz, CompressionLevel.Fastest, leaveOpen: true))
            await zip.WriteAsync("\uFEFF{\"code\":\"A\",\"name\":\"a\",\"beds\":1}\n{\"code\":\"B\",\"name\":\"b\",\"beds\":-3}\n\n{\"code\":\"C\",\"name\":\"c\",\"beds\":2}\n"u8.ToArray());
        var run = await PushBytesAsync(ndjson, gz.ToArray());
        Assert.Multiple(() =>
        {
            Assert.That(IngestionHarness.Status(run), Is.EqualTo("succeeded"), run.ToJsonString());
            Assert.That(IngestionHarness.Count(run, "inserted"), Is.EqualTo(2));
            Assert.That(IngestionHarness.Count(run, "rejected"), Is.EqualTo(1));
        });
        var rejected = (await _h.Steward.GetAsync($"/api/v1/datasets/{ndjson}/runs/{run["id"]}/rejected"))["items"]!.AsArray().Single()!;
        Assert.Multiple(() =>
        {
            Assert.That(rejected["line"]!.GetValue<long>(), Is.EqualTo(2));
            Assert.That(rejected["raw"]!.GetValue<string>(), Does.Contain("-3"));
            Assert.That(rejected["errors"]![0]!["pointer"]!.GetValue<string>(), Is.EqualTo("/beds"));
        });

        var array = await _h.RegisterAsync("array", ["code"], Schema, new { source = "upload", format = "json" });
        var arrayRun = await PushBytesAsync(array, "[{\"code\":\"A\",\"name\":\"a\",\"beds\":1},\n {\"beds\":2,\"code\":\"B\",\"name\":\"b\"}]"u8.ToArray());
        Assert.That(IngestionHarness.Count(arrayRun, "inserted"), Is.EqualTo(2), arrayRun.ToJsonString());
    }

    [Test]
    public async Task RejectsAboveTheFeedThreshold_FailTheRun_AndPublishNothing()
    {
        var id = await _h.RegisterAsync("threshold", ["code"], Schema, new { source = "upload", format = "csv" });
        var run = await _h.PushAsync(id, "code,name,beds\nA,a,1\nB,b,x\nC,c,y\n");
        Assert.Multiple(() =>
        {
            Assert.That(IngestionHarness.Status(run), Is.EqualTo("failed"));
            Assert.That(run["error"]!.GetValue<string>(), Does.Contain("threshold"));
            Assert.That(run["publishedVersion"], Is.Null);
        });
        Assert.That((await _h.Steward.GetAsync($"/api/v1/datasets/{id}/versions"))["items"]!.AsArray(), Is.Empty);
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
