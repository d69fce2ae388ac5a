using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Console;

public sealed partial class ConsoleTests
{
    /// <summary>Pushes <paramref name="csv"/> to <paramref name="datasetId"/> through the API and waits for its run.</summary>
    async Task<JsonNode> PushAsync(string datasetId, string csv)
    {
        var client = _exchange.Client(_steward);
        var (status, body, _) = await client.SendAsync(HttpMethod.Post, $"/api/v1/datasets/{datasetId}/uploads", content: new StringContent(csv, Encoding.UTF8, "text/csv"));
        Assert.That(status, Is.EqualTo(HttpStatusCode.Accepted), body?.ToJsonString());
        return await client.WaitForRunAsync(datasetId, body!["id"]!.GetValue<string>());
    }

    static string Rows(int from, int to) => "code,n\n" + string.Concat(Enumerable.Range(from, to - from + 1).Select(i => $"c{i},{i}\n"));

    [Test]
    public async Task Steward_ReleasesOneHeldRun_AndDiscardsAnother_FromTheRunsPage_Issue12()
    {
        const string id = "gd-amr.console-held";
        await _exchange.Client(_steward).PostAsync("/api/v1/datasets", new
        {
            id, title = "Held runs in the console", keyFields = new[] { "code" }, classification = "internal",
            schema = JsonNode.Parse("""{"type":"object","required":["code"],"properties":{"code":{"type":"string"},"n":{"type":"integer"}}}"""),
            feed = new { source = "upload", format = "csv" },
        });
        Assert.That((await PushAsync(id, Rows(1, 10)))["status"]!.GetValue<string>(), Is.EqualTo("succeeded"));
        Assert.That((await PushAsync(id, Rows(1, 5)))["status"]!.GetValue<string>(), Is.EqualTo("held"));

        var page = await SignedInAsync(_steward);
        await page.GotoAsync($"/console/datasets/{id}/runs");
        var held = page.GetByRole(AriaRole.Row).Filter(new() { HasText = "held" });
        await Assertions.Expect(held).ToContainTextAsync("maxDeleteShare");
        await held.GetByRole(AriaRole.Button, new() { Name = "Release" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("released as version 2");
        var records = await _exchange.Client(_steward).GetAsync($"/api/v1/datasets/{id}/records");
        Assert.That(records["items"]!.AsArray(), Has.Count.EqualTo(5));

        Assert.That((await PushAsync(id, Rows(1, 2)))["status"]!.GetValue<string>(), Is.EqualTo("held"));
        await page.GotoAsync($"/console/datasets/{id}/runs");
        await page.GetByRole(AriaRole.Row).Filter(new() { HasText = "held" }).GetByRole(AriaRole.Button, new() { Name = "Discard" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("discarded");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Release" })).ToHaveCountAsync(0);
        records = await _exchange.Client(_steward).GetAsync($"/api/v1/datasets/{id}/records");
        Assert.That(records["items"]!.AsArray(), Has.Count.EqualTo(5), "a discarded run publishes nothing");
    }
}
