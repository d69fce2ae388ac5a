using System.Net;
using System.Text;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Pull;

/// <summary>Issue 13, item 1: record and change cursors are opaque, authenticated and bound to caller, dataset and range.</summary>
[TestFixture]
public sealed class CursorTests
{
    const string OtherDataset = "own.people-too";
    PullTestBed _bed = null!;
    Hosting.ApiClient _a = null!;
    Hosting.ApiClient _b = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _bed = await PullTestBed.StartAsync("cursors");
        object[] rows = [new { id = "secret-key-1", name = "A" }, new { id = "secret-key-2", name = "B" }, new { id = "secret-key-3", name = "C" }];
        await _bed.PublishAsync(rows);
        await _bed.RegisterAsync(OtherDataset);
        await _bed.PublishToAsync(OtherDataset, rows);
        _a = await _bed.NewConsumerAsync("cona");
        await _bed.SubscribeAsync(_a, new { masks = new { id = "hash" } });
        await _bed.SubscribeAsync(_a, new { masks = new { id = "hash" } }, datasetId: OtherDataset);
        _b = await _bed.NewConsumerAsync("conb");
        await _bed.SubscribeAsync(_b, new { masks = new { id = "hash" } });
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _bed.DisposeAsync();

    static string Url(string dataset, string tail) => $"/api/v1/datasets/{dataset}/{tail}";

    static string Unbase64(string cursor)
    {
        var s = cursor.Replace('-', '+').Replace('_', '/');
        return Encoding.Latin1.GetString(Convert.FromBase64String(s.PadRight(s.Length + (4 - s.Length % 4) % 4, '=')));
    }

    async Task<string> NextAsync(Hosting.ApiClient client, string tail)
    {
        var (status, page, response) = await client.SendAsync(HttpMethod.Get, Url(PullTestBed.DatasetId, tail));
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), page?.ToJsonString());
        Assert.That(response.Headers.GetValues("Link").Single(), Does.Contain(Uri.EscapeDataString(page!["next"]!.GetValue<string>())).Or.Contain(page["next"]!.GetValue<string>()));
        return page["next"]!.GetValue<string>();
    }

    static async Task AssertInvalidCursorAsync(Hosting.ApiClient client, string path)
    {
        var (status, problem, response) = await client.SendAsync(HttpMethod.Get, path);
        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest), problem?.ToJsonString());
        Assert.That(response.Content.Headers.ContentType!.MediaType, Is.EqualTo("application/problem+json"));
        Assert.That(problem!["type"]!.GetValue<string>(), Is.EqualTo("urn:dataexchange:problem:invalid-cursor"));
    }

    [Test]
    public async Task RecordAndChangeCursors_RevealNoKeyWhenBase64Decoded()
    {
        foreach (var tail in new[] { "records?limit=1", "changes?since=0&limit=1" })
            Assert.That(Unbase64(await NextAsync(_a, tail)), Does.Not.Contain("secret-key"), tail);
        var owner = await NextAsync(_bed.Steward, "records?limit=1");
        Assert.That(Unbase64(owner), Does.Not.Contain("secret-key"), "not even the owner's cursors carry keys in clear");
    }

    [Test]
    public async Task ACursorOfConsumerA_UsedByConsumerB_Answers400()
    {
        foreach (var tail in new[] { "records?limit=1", "changes?since=0&limit=1" })
        {
            var next = await NextAsync(_a, tail);
            await AssertInvalidCursorAsync(_b, Url(PullTestBed.DatasetId, $"{tail}&after={next}"));
        }
    }

    [Test]
    public async Task ATamperedCursor_Answers400()
    {
        foreach (var tail in new[] { "records?limit=1", "changes?since=0&limit=1" })
        {
            var next = await NextAsync(_a, tail);
            var i = next.Length / 2;
            var tampered = next[..i] + (next[i] == 'A' ? 'B' : 'A') + next[(i + 1)..];
            await AssertInvalidCursorAsync(_a, Url(PullTestBed.DatasetId, $"{tail}&after={tampered}"));
        }
        var audit = (await _bed.Admin.GetAsync("/api/v1/audit/entries?limit=1000"))["items"]!.AsArray();
        Assert.That(audit.Count(e => e!["action"]!.GetValue<string>() == "access-denied" && e["details"]?["reason"]?.GetValue<string>() == "invalid-cursor"),
            Is.GreaterThanOrEqualTo(2), "a refused cursor is audited like any refused data access");
    }

    [Test]
    public async Task ACursorOfDatasetX_UsedOnDatasetY_Answers400()
    {
        foreach (var tail in new[] { "records?limit=1", "changes?since=0&limit=1" })
        {
            var next = await NextAsync(_a, tail);
            await AssertInvalidCursorAsync(_a, Url(OtherDataset, $"{tail}&after={next}"));
        }
    }

    [Test]
    public async Task AChangeCursor_UsedWithAnotherSince_OrOnTheRecords_Answers400()
    {
        var next = await NextAsync(_a, "changes?since=0&limit=1");
        await AssertInvalidCursorAsync(_a, Url(PullTestBed.DatasetId, $"changes?since=1&limit=1&after={next}"));
        await AssertInvalidCursorAsync(_a, Url(PullTestBed.DatasetId, $"records?limit=1&after={next}"));
    }

    [Test]
    public async Task AGoodCursor_StillPagesThroughEveryRecord_AndStreamsResumeFromIt()
    {
        var next = await NextAsync(_a, "records?limit=1");
        var rest = await _a.GetAsync(Url(PullTestBed.DatasetId, $"records?limit=10&after={next}"));
        Assert.That(rest["items"]!.AsArray(), Has.Count.EqualTo(2));
        var csv = await _a.Http.GetStringAsync(Url(PullTestBed.DatasetId, $"records?format=csv&after={next}"));
        Assert.That(csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(3), "header and two rows");
    }
}
