using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Pull;

/// <summary>Issue 5: the change feed across three versions, streamed formats, gzip and ETags.</summary>
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
        Assert.That(lines[3], Is.EqualTo("c,***2,,,'-3,"), "a cell starting with - is prefixed with a quote");
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
