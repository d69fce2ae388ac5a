using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Ingestion;

/// <summary>
/// Issue 12, the bad-payload suite: after each bad payload, what was published (the version, its rows,
/// the change feed) is asserted, not only that nothing crashed. Encoding and truncation cases live in
/// StrictPayloadTests; rejected-row and deletion cases in the deletion tests.
/// </summary>
[TestFixture]
public sealed class BadPayloadTests
{
    static readonly JsonObject Schema = JsonNode.Parse("""
        {"type":"object","required":["id","n"],"additionalProperties":false,
         "properties":{"id":{"type":"string"},"n":{"type":"integer"},"note":{"type":"string"}}}
        """)!.AsObject();

    const string V1 = "id,n,note\na,1,first\nb,2,second\nc,3,third\n";

    IngestionHarness _h = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _h = await IngestionHarness.StartAsync("badpayloads");

    [OneTimeTearDown]
    public void Stop() => _h.Dispose();

    async Task<string> DatasetWithV1Async(string name)
    {
        var id = await _h.RegisterAsync(name, ["id"], Schema, new { source = "upload", format = "csv", rejectThreshold = 0.5 });
        var run = await PushAsync(id, Encoding.UTF8.GetBytes(V1));
        Assert.That(run["publishedVersion"]!.GetValue<int>(), Is.EqualTo(1), run.ToJsonString());
        return id;
    }

    async Task<JsonNode> PushAsync(string datasetId, byte[] payload)
    {
        var content = new ByteArrayContent(payload) { Headers = { ContentType = new("text/csv") } };
        var (status, body, _) = await _h.Steward.SendAsync(HttpMethod.Post, $"/api/v1/datasets/{datasetId}/uploads", content: content);
        Assert.That(status, Is.EqualTo(HttpStatusCode.Accepted), body?.ToJsonString());
        return await _h.Steward.WaitForRunAsync(datasetId, body!["id"]!.GetValue<string>(), TimeSpan.FromMinutes(2));
    }

    async Task<(int Version, string Rows)> PublishedAsync(string datasetId)
    {
        var page = await _h.Steward.GetAsync($"/api/v1/datasets/{datasetId}/records?limit=1000");
        var rows = string.Join(";", page["items"]!.AsArray().Select(r => $"{r!["id"]}={r["n"]}/{r["note"]}"));
        var versions = await _h.Steward.GetAsync($"/api/v1/datasets/{datasetId}/versions");
        return (versions["items"]!.AsArray().Max(v => v!["version"]!.GetValue<int>()), rows);
    }

    async Task<List<string>> ChangesSinceAsync(string datasetId, int since)
    {
        var page = await _h.Steward.GetAsync($"/api/v1/datasets/{datasetId}/changes?since={since}");
        return [.. page["items"]!.AsArray().Select(i => $"{i!["op"]}:{i["key"]}")];
    }

    const string V1Rows = "a=1/first;b=2/second;c=3/third";

    [Test]
    public async Task AKeyLongerThanTheIndexCanHold_IsQuarantined_AndTheRestIsPublished()
    {
        var id = await DatasetWithV1Async("longkey");
        // Random, so that PostgreSQL's compression cannot bring it under the btree limit (~2.7 kB).
        var longKey = Convert.ToHexString(new Random(7).GetItems<byte>([.. Enumerable.Range(0, 256).Select(b => (byte)b)], 1500));
        var run = await PushAsync(id, Encoding.UTF8.GetBytes($"id,n,note\na,1,first\nb,20,second\nc,3,third\n{longKey},4,long\n"));
        Assert.Multiple(() =>
        {
            Assert.That(IngestionHarness.Status(run), Is.EqualTo("succeeded"), run.ToJsonString());
            Assert.That(run["publishedVersion"]!.GetValue<int>(), Is.EqualTo(2));
            Assert.That(IngestionHarness.Count(run, "rejected"), Is.EqualTo(1));
        });
        var rejected = (await _h.Steward.GetAsync($"/api/v1/datasets/{id}/runs/{run["id"]}/rejected"))["items"]!.AsArray().Single()!;
        Assert.That(rejected["errors"]![0]!["code"]!.GetValue<string>(), Is.EqualTo("key-too-long"), rejected.ToJsonString());
        Assert.That((await PublishedAsync(id)).Rows, Is.EqualTo("a=1/first;b=20/second;c=3/third"));
        Assert.That(await ChangesSinceAsync(id, 1), Is.EqualTo(new[] { "update:b" }));
    }

    [Test]
    public async Task AHeaderOnlyFile_PublishesNothing_AndTheVersionStays()
    {
        var id = await DatasetWithV1Async("headeronly");
        var run = await PushAsync(id, "id,n,note\n"u8.ToArray());
        Assert.That(IngestionHarness.Status(run), Is.EqualTo("failed"), run.ToJsonString());
        Assert.That(run["error"]!.GetValue<string>(), Does.Contain("no records"));
        Assert.That(await PublishedAsync(id), Is.EqualTo((1, V1Rows)));
        Assert.That(await ChangesSinceAsync(id, 1), Is.Empty);
    }

    [Test]
    public async Task APayloadOfOnlyRejectedRows_PublishesNothing_AndDeletesNothing()
    {
        var id = await DatasetWithV1Async("allrejected");
        var run = await PushAsync(id, "id,n,note\na,x,first\nb,y,second\nc,z,third\n"u8.ToArray());
        Assert.Multiple(() =>
        {
            Assert.That(IngestionHarness.Status(run), Is.EqualTo("failed"), run.ToJsonString());
            Assert.That(IngestionHarness.Count(run, "rejected"), Is.EqualTo(3));
            Assert.That(run["publishedVersion"], Is.Null);
        });
        Assert.That(await PublishedAsync(id), Is.EqualTo((1, V1Rows)));
        Assert.That(await ChangesSinceAsync(id, 1), Is.Empty);
    }

    [Test]
    public async Task AUtf8Bom_IsNotPartOfTheFirstColumnName()
    {
        var id = await DatasetWithV1Async("bom");
        var run = await PushAsync(id, [.. "\uFEFF"u8.ToArray(), .. "id,n,note\na,1,first\nb,2,second\nc,3,changed\n"u8.ToArray()]);
        Assert.That(IngestionHarness.Status(run), Is.EqualTo("succeeded"), run.ToJsonString());
        Assert.That(IngestionHarness.Count(run, "rejected"), Is.EqualTo(0));
        Assert.That(await PublishedAsync(id), Is.EqualTo((2, "a=1/first;b=2/second;c=3/changed")));
        Assert.That(await ChangesSinceAsync(id, 1), Is.EqualTo(new[] { "update:c" }));
    }

    [Test]
    public async Task MixedLineEndings_ReadEveryRow_WithoutStrayCarriageReturns()
    {
        var id = await DatasetWithV1Async("lineendings");
        var run = await PushAsync(id, "id,n,note\r\na,1,first\nb,2,second\r\nc,3,third\rd,4,fourth\n"u8.ToArray());
        Assert.That(IngestionHarness.Status(run), Is.EqualTo("succeeded"), run.ToJsonString());
        Assert.That(await PublishedAsync(id), Is.EqualTo((2, V1Rows + ";d=4/fourth")));
        Assert.That(await ChangesSinceAsync(id, 1), Is.EqualTo(new[] { "insert:d" }));
    }
}
