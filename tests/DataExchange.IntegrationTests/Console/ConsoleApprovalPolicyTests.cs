using System.Net;
using System.Text.Json.Nodes;
using DataExchange.IntegrationTests.Hosting;
using Microsoft.Playwright;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Console;

/// <summary>
/// Issue 18, item 8: the approval page set fields and expiry but not masks, row filters or a quota. In Chromium a steward
/// approves with a hashed and a partly masked field, two row filters (one numeric, typed by the schema) and a daily row
/// quota, after the server refused the same form with a bad quota and a non-number, saying so on the form; then the
/// consumer's real pull receives masked, filtered rows, no more than the quota, and is refused 429 past it.
/// </summary>
[TestFixture]
public sealed class ConsoleApprovalPolicyTests
{
    const string DatasetId = "gd-amr.business-licences";
    KestrelExchange _exchange = null!;
    ConsoleBrowser _browser = null!;
    string _steward = null!, _consumer = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _exchange = await KestrelExchange.StartAsync("console_policy", new Dictionary<string, string?> { ["Console:SignIn:PermitLimit"] = "1000" });
        _steward = await _exchange.KeyAsync("gd-amr", "steward");
        _consumer = await _exchange.KeyAsync("gz-hrss", "consumer");
        _exchange.DropSampleLicences();
        var steward = _exchange.Client(_steward);
        var manifest = JsonNode.Parse(await File.ReadAllTextAsync(Samples.Path("datasets", $"{DatasetId}.json")))!.AsObject();
        manifest.Remove("schemaFile");
        manifest["schema"] = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(Samples.RepositoryRoot, "schemas", $"{DatasetId}.schema.json")));
        await steward.PostAsync("/api/v1/datasets", manifest);
        var queued = await steward.PostAsync($"/api/v1/datasets/{DatasetId}/runs", null, HttpStatusCode.Accepted);
        Assert.That((await steward.WaitForRunAsync(DatasetId, queued["id"]!.GetValue<string>()))["status"]!.GetValue<string>(), Is.EqualTo("succeeded"));
        _browser = await ConsoleBrowser.LaunchAsync();
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _browser.DisposeAsync();
        _exchange.Dispose();
    }

    [Test]
    public async Task Steward_ApprovesWithMasksRowFiltersAndAQuota_AndTheConsumersPullIsShapedAndLimitedByThem()
    {
        const int Quota = 10;
        var consumer = _exchange.Client(_consumer);
        var id = (await consumer.PostAsync("/api/v1/subscriptions", new { datasetId = DatasetId, purpose = "Check legal representatives of operating businesses" }))["id"]!.GetValue<string>();
        // What the filters should let through, from the owner's own view of the same version.
        var all = (await _exchange.Client(_steward).GetAsync($"/api/v1/datasets/{DatasetId}/records?limit=1000"))["items"]!.AsArray();
        var expected = all.Where(r => r!["status"]!.GetValue<string>() is "在业" or "吊销" && r["registered_capital"]!.GetValue<decimal>() >= 100).ToList();
        Assert.That(expected, Has.Count.GreaterThan(Quota), "more rows match than the quota lets through");

        var page = await _browser.NewPageAsync(_exchange.Address);
        await ConsoleBrowser.SignInAsync(page, _steward);
        await page.GotoAsync($"/console/subscriptions/{id}/approve");
        foreach (var box in await page.GetByRole(AriaRole.Checkbox).AllAsync()) await box.UncheckAsync();
        foreach (var field in new[] { "uscc", "name", "legal_rep_id", "registered_capital", "status" })
            await page.GetByRole(AriaRole.Checkbox, new() { Name = field, Exact = true }).CheckAsync();
        await page.GetByLabel("Mask of uscc", new() { Exact = true }).SelectOptionAsync("hash");
        await page.GetByLabel("Mask of legal_rep_id", new() { Exact = true }).SelectOptionAsync("partial");
        await page.GetByLabel("Characters kept (legal_rep_id, partial)").FillAsync("4");
        await page.GetByLabel("Filter 1: field").SelectOptionAsync("status");
        await page.GetByLabel("Filter 1: condition").SelectOptionAsync("in");
        await page.GetByLabel("Filter 1: value(s)").FillAsync("在业, 吊销");
        await page.GetByRole(AriaRole.Button, new() { Name = "Preview" }).ClickAsync();

        // The preview is read under the proposed rules, filters included; a second filter row is now offered.
        var preview = page.GetByRole(AriaRole.Table).Filter(new() { HasText = "under this policy" });
        await Assertions.Expect(preview.GetByRole(AriaRole.Columnheader)).ToHaveTextAsync(["uscc", "name", "legal_rep_id", "registered_capital", "status"]);
        foreach (var shown in await preview.Locator("tbody tr td:nth-child(5)").AllInnerTextsAsync()) Assert.That(shown, Is.AnyOf("在业", "吊销"));
        foreach (var hash in await preview.Locator("tbody tr td:nth-child(1)").AllInnerTextsAsync()) Assert.That(hash, Does.Match("^[0-9a-f]{64}$"));

        // Server-side checks, on the form: a quota of 0 and a capital that is not a number (the field holds numbers).
        await page.GetByLabel("Filter 2: field").SelectOptionAsync("registered_capital");
        await page.GetByLabel("Filter 2: condition").SelectOptionAsync("range");
        await page.GetByLabel("Filter 2: from").FillAsync("a hundred");
        await page.GetByLabel("Daily row quota (rows per UTC day; empty for none)").FillAsync("0");
        var refused = await page.RunAndWaitForResponseAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync(), r => r.Request.Method == "POST");
        Assert.That(refused.Status, Is.EqualTo(400));
        var problem = page.Locator(".problem");
        await Assertions.Expect(problem).ToContainTextAsync("Filter 2 ('registered_capital'): 'a hundred' is not a number, and the field holds numbers.");
        await Assertions.Expect(problem).ToContainTextAsync("The daily row quota is a whole number of rows, 1 or more (or empty for none), not '0'.");
        await Assertions.Expect(problem).ToContainTextAsync("/policy/filters/1/range/min");
        Assert.That((await consumer.GetAsync($"/api/v1/subscriptions/{id}"))["status"]!.GetValue<string>(), Is.EqualTo("pending"), "nothing was approved");
        await Assertions.Expect(page.GetByLabel("Mask of uscc", new() { Exact = true })).ToHaveValueAsync("hash");
        await Assertions.Expect(page.GetByLabel("Filter 1: value(s)")).ToHaveValueAsync("在业, 吊销");

        await page.GetByLabel("Filter 2: from").FillAsync("100");
        await page.GetByLabel("Daily row quota (rows per UTC day; empty for none)").FillAsync(Quota.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync($"Subscription {id} approved.");
        var granted = page.GetByRole(AriaRole.Row).Filter(new() { HasText = id }).First;
        await Assertions.Expect(granted).ToContainTextAsync("uscc hash");
        await Assertions.Expect(granted).ToContainTextAsync($"quota: {Quota} rows/day");
        await ConsoleBrowser.ScreenshotBothWidthsAsync(page, "/console/subscriptions", "approved-with-policy");
        await page.Context.CloseAsync();

        var stored = (await consumer.GetAsync($"/api/v1/subscriptions/{id}"))["policy"]!;
        Assert.That(JsonNode.DeepEquals(stored["masks"], JsonNode.Parse("""{"uscc":{"type":"hash"},"legal_rep_id":{"type":"partial","keepLast":4}}""")), Is.True, stored.ToJsonString());
        Assert.That(JsonNode.DeepEquals(stored["filters"], JsonNode.Parse("""[{"field":"status","in":["在业","吊销"]},{"field":"registered_capital","range":{"min":100}}]""")), Is.True, stored.ToJsonString());
        Assert.That(stored["dailyRowQuota"]!.GetValue<long>(), Is.EqualTo(Quota));

        // The consumer's real pull: the quota's rows, each filtered and masked; then 429 past the quota.
        var pulled = await consumer.GetAsync($"/api/v1/datasets/{DatasetId}/records?limit=1000");
        var items = pulled["items"]!.AsArray();
        Assert.That(items, Has.Count.EqualTo(Quota));
        var byName = expected.ToDictionary(r => r!["name"]!.GetValue<string>() + "|" + r["legal_rep_id"]!.GetValue<string>()[^4..]);
        foreach (var item in items)
        {
            Assert.That(item!.AsObject().Select(p => p.Key), Is.EquivalentTo(new[] { "uscc", "name", "legal_rep_id", "registered_capital", "status" }));
            Assert.That(item["status"]!.GetValue<string>(), Is.AnyOf("在业", "吊销"));
            Assert.That(item["registered_capital"]!.GetValue<decimal>(), Is.GreaterThanOrEqualTo(100m));
            Assert.That(item["uscc"]!.GetValue<string>(), Does.Match("^[0-9a-f]{64}$"), "hashed");
            var rep = item["legal_rep_id"]!.GetValue<string>();
            Assert.That(rep, Does.Match(@"^\*{14}[0-9]{3}[0-9X]$"), "all but the last four characters masked");
            Assert.That(byName.ContainsKey(item["name"]!.GetValue<string>() + "|" + rep[^4..]), Is.True, $"{item} is one of the rows the filters let through");
        }
        var (status, refusal, response) = await consumer.SendAsync(HttpMethod.Get, $"/api/v1/datasets/{DatasetId}/records?limit=5");
        Assert.That(status, Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(refusal!["type"]!.GetValue<string>(), Is.EqualTo("urn:dataexchange:problem:quota-exceeded"));
        Assert.That(response.Headers.RetryAfter, Is.Not.Null);
    }
}
