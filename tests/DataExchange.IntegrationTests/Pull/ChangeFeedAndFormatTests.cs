using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Pull;

/// <summary>Issue 5: the change feed across three versions (JSON pages, NDJSON and CSV streams), streamed formats, gzip and ETags.</summary>
[TestFixture]
public sealed class ChangeFeedAndFormatTests
{
    PullTestBed _bed = null!;
    Hosting.ApiClient _consumer = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _bed = await PullTestBed.StartAsync("changes");
        await _bed.PublishAsync(new { id = "a", name = "A", age = 1 }, new { id = "b", name = "B", age = 2 }, new { id = "c", name = "=1+2", age = -3 });
        await _bed.PublishAsync(new { id = "a", name = "A2", age = 1 }, new { id = "c", name = "=1+2", age = -3 }, new { id = "d", name = "D", age = 4 });
        await _bed.PublishAsync(new { id = "a", name = "A2", age = 1 }, new { id = "d", name = "D, jr", age = 4 }, new { id = "e", name = "E", age = 5 });
        _consumer = await _bed.NewConsumerAsync("con");
        await _bed.SubscribeAsync(_consumer, new { masks = new { name = new { type = "partial", keepLast = 1 } } });
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _bed.DisposeAsync();

    static string Url(string tail) => $"/api/v1/datasets/{PullTestBed.DatasetId}/{tail}";

    static List<(string Op, string Key, int Version)> Ops(JsonNode page) =>
        page["items"]!.AsArray().Select(i => (i!["op"]!.GetValue<string>(), i["key"]!.GetValue<string>(), i["version"]!.GetValue<int>())).ToList();

    [Test]
    public async Task Changes_SinceTheFirstVersion_ListInsertsUpdatesAndTombstonesInKeyOrder()
    {
        var page = await _consumer.GetAsync(Url("changes?since=1"));
        Assert.That(page["until"]!.GetValue<int>(), Is.EqualTo(3));
        Assert.That(Ops(page), Is.EqualTo(new[] { ("update", "a", 2), ("delete", "b", 2), ("delete", "c", 3), ("insert", "d", 3), ("insert", "e", 3) }));
        var a = page["items"]![0]!;
        Assert.That(a["record"]!["name"]!.GetValue<string>(), Is.EqualTo("*2"), "changes are shaped by the policy too");
        Assert.That(page["items"]![1]!["record"], Is.Null, "a tombstone carries no record");
    }

    [Test]
    public async Task Changes_BetweenTwoVersions_AreTheNetChangesOfThatRange()
    {
        Assert.That(Ops(await _consumer.GetAsync(Url("changes?since=0&until=1"))), Is.EqualTo(new[] { ("insert", "a", 1), ("insert", "b", 1), ("insert", "c", 1) }));
        Assert.That(Ops(await _consumer.GetAsync(Url("changes?since=2&until=3"))), Is.EqualTo(new[] { ("delete", "c", 3), ("update", "d", 3), ("insert", "e", 3) }));
    }

    [Test]
    public async Task Changes_AreResumableByCursor()
    {
        var seen = new List<(string, string, int)>();
        string? after = null;
        do
        {
            var page = await _consumer.GetAsync(Url("changes?since=1&limit=2" + (after is null ? "" : "&after=" + after)));
            seen.AddRange(Ops(page));
            after = page["next"]?.GetValue<string>();
        } while (after is not null);
        Assert.That(seen.Select(s => s.Item2), Is.EqualTo(new[] { "a", "b", "c", "d", "e" }));
    }

    [Test]
    public async Task ChangesAsNdjson_StreamTheSameChangeObjectsAsTheJsonPages_TombstonesIncluded()
    {
        var page = await _consumer.GetAsync(Url("changes?since=1"));
        using var request = new HttpRequestMessage(HttpMethod.Get, Url("changes?since=1"));
        request.Headers.Accept.ParseAdd("application/x-ndjson");
        var (status, text, response) = await SendRawAsync(request);
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), text);
        Assert.That(response.Content.Headers.ContentType!.MediaType, Is.EqualTo("application/x-ndjson"));
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Is.EqualTo(page["items"]!.AsArray().Select(i => i!.ToJsonString()).ToArray()));
        Assert.That(lines[1], Is.EqualTo("""{"op":"delete","key":"b","version":2}"""));
        Assert.That(JsonNode.Parse(lines[0])!["record"]!["name"]!.GetValue<string>(), Is.EqualTo("*2"), "shaped by the policy");
    }

    [Test]
    public async Task ChangesAsCsv_HaveOpKeyAndVersionColumns_EmptyFieldsForTombstones_AndNeutralisedFormulas()
    {
        var (status, text, response) = await SendRawAsync(new HttpRequestMessage(HttpMethod.Get, Url("changes?since=1&format=csv")));
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), text);
        Assert.That(response.Content.Headers.ContentType!.MediaType, Is.EqualTo("text/csv"));
        Assert.That(text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries), Is.EqualTo(new[]
        {
            "_op,_key,_version,id,name,phone,city,age,born",
            "update,a,2,a,*2,,,1,",
            "delete,b,2,,,,,,",
            "delete,c,3,,,,,,",
            "insert,d,3,d,****r,,,4,",
            "insert,e,3,e,*,,,5,",
        }));
        var (_, first, _) = await SendRawAsync(new HttpRequestMessage(HttpMethod.Get, Url("changes?since=0&until=1&format=csv")));
        Assert.That(first.Split("\r\n", StringSplitOptions.RemoveEmptyEntries)[3], Is.EqualTo("insert,c,1,c,***2,,,-3,"), "a negative number is a number, never prefixed");
    }

    [Test]
    public async Task ChangesAsCsv_ResumeFromAJsonCursor_AndAreGzippedWhenAsked()
    {
        var page = await _consumer.GetAsync(Url("changes?since=1&limit=2"));
        using var request = new HttpRequestMessage(HttpMethod.Get, Url("changes?since=1&format=csv&after=" + page["next"]!.GetValue<string>()));
        request.Headers.AcceptEncoding.ParseAdd("gzip");
        using var response = await _consumer.Http.SendAsync(request);
        Assert.That(response.Content.Headers.ContentEncoding, Does.Contain("gzip"));
        await using var unzip = new GZipStream(await response.Content.ReadAsStreamAsync(), CompressionMode.Decompress);
        var keys = (await new StreamReader(unzip).ReadToEndAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l.Split(',')[1]);
        Assert.That(keys, Is.EqualTo(new[] { "c", "d", "e" }));
    }

    [Test]
    public async Task Ndjson_StreamsOneShapedRecordPerLine()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Url("records"));
        request.Headers.Accept.ParseAdd("application/x-ndjson");
        var (status, text, _) = await SendRawAsync(request);
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.That(lines.Select(l => l["id"]!.GetValue<string>()), Is.EqualTo(new[] { "a", "d", "e" }));
        Assert.That(lines[1]["name"]!.GetValue<string>(), Is.EqualTo("****r"));
    }

    [Test]
    public async Task Csv_NeutralisesFormulaCellsAndQuotes()
    {
        var (status, text, _) = await SendRawAsync(new HttpRequestMessage(HttpMethod.Get, Url("records?format=csv&version=1")));
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
        var lines = text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines[0], Is.EqualTo("id,name,phone,city,age,born"));
        Assert.That(lines[3], Is.EqualTo("c,***2,,,-3,"), "a negative number is a number, never prefixed (issue 12)");
    }

    [Test]
    public async Task Gzip_IsUsedWhenAsked()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Url("records?format=ndjson"));
        request.Headers.AcceptEncoding.ParseAdd("gzip");
        using var response = await _consumer.Http.SendAsync(request);
        Assert.That(response.Content.Headers.ContentEncoding, Does.Contain("gzip"));
        await using var unzip = new GZipStream(await response.Content.ReadAsStreamAsync(), CompressionMode.Decompress);
        var text = await new StreamReader(unzip).ReadToEndAsync();
        Assert.That(text.Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(3));
    }

    [Test]
    public async Task ETag_NamesDatasetVersionAndPolicy_AndIfNoneMatchAnswers304()
    {
        var (_, _, first) = await _consumer.SendAsync(HttpMethod.Get, Url("records"));
        var etag = first.Headers.ETag!.Tag;
        Assert.That(etag, Does.Match("^\"own\\.people@3\\+[0-9a-f]{16}\"$"));
        using var request = new HttpRequestMessage(HttpMethod.Get, Url("records"));
        request.Headers.IfNoneMatch.Add(new EntityTagHeaderValue(etag));
        var (status, _, _) = await SendRawAsync(request);
        Assert.That(status, Is.EqualTo(HttpStatusCode.NotModified));
    }

    async Task<(HttpStatusCode, string, HttpResponseMessage)> SendRawAsync(HttpRequestMessage request)
    {
        var response = await _consumer.Http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), response);
    }
}
