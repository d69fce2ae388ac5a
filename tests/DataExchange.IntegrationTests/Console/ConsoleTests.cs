using System.Net;
using System.Text.Json.Nodes;
using DataExchange.Core.Agencies;
using DataExchange.Core.Audit;
using DataExchange.Core.Datasets;
using Microsoft.Extensions.DependencyInjection;
using System.Text.RegularExpressions;
using DataExchange.IntegrationTests.Hosting;
using Microsoft.Playwright;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Console;

/// <summary>
/// Issue 7: the web console in a real browser (Debian's Chromium) against the real server on
/// Kestrel: sign in, register a dataset, run it, approve a subscription with a previewed policy,
/// read and filter the audit log, and refusals for roles that may not see a page.
/// </summary>
[TestFixture, Category(TestCategories.Browser)]
public sealed partial class ConsoleTests
{
    const string DatasetId = "gd-amr.business-licences";
    KestrelExchange _exchange = null!;
    ConsoleBrowser _browser = null!;
    string _steward = null!, _consumer = null!;
    IPage? _page;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        // The tests sign in far more often than the per-address limit of a real console allows.
        _exchange = await KestrelExchange.StartAsync("console", new Dictionary<string, string?> { ["Console:SignIn:PermitLimit"] = "1000" });
        _steward = await _exchange.KeyAsync("gd-amr", "steward");
        _consumer = await _exchange.KeyAsync("gz-hrss", "consumer");
        _exchange.DropSampleLicences();
        _browser = await ConsoleBrowser.LaunchAsync();
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _browser.DisposeAsync();
        _exchange.Dispose();
    }

    [TearDown]
    public async Task ScreenshotOnFailureAsync()
    {
        if (_page is not null && TestContext.CurrentContext.Result.Outcome.Status == NUnit.Framework.Interfaces.TestStatus.Failed)
            await ConsoleBrowser.ScreenshotAsync(_page, $"{TestContext.CurrentContext.Test.Name}.png");
        if (_page is not null) await _page.Context.CloseAsync();
        _page = null;
    }

    async Task<IPage> SignedInAsync(string key, int width = 1280)
    {
        _page = await _browser.NewPageAsync(_exchange.Address, width);
        await ConsoleBrowser.SignInAsync(_page, key);
        return _page;
    }

    [Test]
    public async Task Steward_RegistersADatasetFromTheConsole_AndRunsItsFeed()
    {
        var page = await SignedInAsync(_steward);
        await page.GetByRole(AriaRole.Link, new() { Name = "Register" }).ClickAsync();
        await page.GetByLabel("Manifest file").SetInputFilesAsync(Samples.Path("datasets", $"{DatasetId}.json"));
        await page.GetByLabel("Schema file").SetInputFilesAsync(Path.Combine(Samples.RepositoryRoot, "schemas", $"{DatasetId}.schema.json"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Register" }).ClickAsync();

        await Assertions.Expect(page).ToHaveURLAsync(new Regex($"/console/datasets/{Regex.Escape(DatasetId)}$"));
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Business licence register");

        await page.GetByRole(AriaRole.Button, new() { Name = "Run now" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("queued");
        var runId = new Uri(page.Url).Query.Split('=')[1];
        var run = await _exchange.Client(_steward).WaitForRunAsync(DatasetId, runId);
        Assert.That(run["status"]!.GetValue<string>(), Is.EqualTo("succeeded"));

        await page.ReloadAsync();
        var row = page.GetByRole(AriaRole.Row).Filter(new() { HasText = "succeeded" });
        await Assertions.Expect(row).ToContainTextAsync("394");
        await row.GetByRole(AriaRole.Link, new() { Name = "6" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync($"Rejected records of run {runId}");
        Assert.That(await page.Locator("tbody tr").CountAsync(), Is.EqualTo(6), "the sample's six invalid rows, each with its errors");

        await page.GotoAsync("/console");
        await page.GetByLabel("Search", new() { Exact = true }).FillAsync("licence");
        await page.GetByLabel("Classification").SelectOptionAsync("internal");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Business licence register" })).ToBeVisibleAsync();
        await page.GetByLabel("Classification").SelectOptionAsync("restricted");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Assertions.Expect(page.GetByText("No dataset matches.")).ToBeVisibleAsync();

        await AddOptionalWebsiteFieldAsync();
        await page.GotoAsync($"/console/datasets/{DatasetId}");
        await Assertions.Expect(page.Locator("pre.diff .add").Filter(new() { HasText = "\"website\": {" })).ToHaveCountAsync(1);
        var chart = page.GetByRole(AriaRole.Img, new() { Name = "Valid and rejected records per run" });
        await Assertions.Expect(chart).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("svg.chart desc")).ToContainTextAsync("6 rejected records");
        await ConsoleBrowser.ScreenshotBothWidthsAsync(page, "/console", "catalogue");
        await ConsoleBrowser.ScreenshotBothWidthsAsync(page, $"/console/datasets/{DatasetId}", "dataset");
    }

    /// <summary>Schema version 2: one more optional property (backward compatible).</summary>
    async Task AddOptionalWebsiteFieldAsync()
    {
        var services = _exchange.Factory.Services;
        var steward = (await services.GetRequiredService<ApiKeyService>().AuthenticateAsync(_steward))!;
        var schema = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(Samples.RepositoryRoot, "schemas", $"{DatasetId}.schema.json")))!.AsObject();
        schema["properties"]!["website"] = new JsonObject { ["type"] = "string", ["maxLength"] = 200 };
        await services.GetRequiredService<SchemaVersionService>().RegisterSchemaVersionAsync(steward, DatasetId, schema);
    }

    [Test, DependsOnTest(nameof(Steward_RegistersADatasetFromTheConsole_AndRunsItsFeed))]
    public async Task Steward_ApprovesASubscription_AfterPreviewingWhatTheConsumerWillReceive()
    {
        var consumerApi = _exchange.Client(_consumer);
        var requested = await consumerApi.PostAsync("/api/v1/subscriptions", new { datasetId = DatasetId, purpose = "Verify employers" });
        var id = requested["id"]!.GetValue<string>();

        var page = await SignedInAsync(_steward);
        await page.GetByRole(AriaRole.Link, new() { Name = "Subscriptions" }).ClickAsync();
        await ConsoleBrowser.ScreenshotBothWidthsAsync(page, "/console/subscriptions", "approvals");
        var waiting = page.GetByRole(AriaRole.Row).Filter(new() { HasText = id });
        await waiting.GetByRole(AriaRole.Link, new() { Name = "Review" }).ClickAsync();

        foreach (var box in await page.GetByRole(AriaRole.Checkbox).AllAsync()) await box.UncheckAsync();
        await page.GetByRole(AriaRole.Checkbox, new() { Name = "uscc" }).CheckAsync();
        await page.GetByRole(AriaRole.Checkbox, new() { Name = "name", Exact = true }).CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Preview" }).ClickAsync();
        var preview = page.GetByRole(AriaRole.Table).Filter(new() { HasText = "under this policy" });
        await Assertions.Expect(preview.GetByRole(AriaRole.Columnheader)).ToHaveTextAsync(["uscc", "name"]);
        Assert.That(await preview.Locator("tbody tr").CountAsync(), Is.EqualTo(5));
        await ConsoleBrowser.ScreenshotBothWidthsAsync(page, $"/console/subscriptions/{id}/approve", "approval-review");

        await page.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync($"Subscription {id} approved.");
        await Assertions.Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = id })).ToContainTextAsync("approved");

        var pulled = await consumerApi.GetAsync($"/api/v1/datasets/{DatasetId}/records?limit=3");
        Assert.That(pulled["items"]![0]!.AsObject().Select(p => p.Key), Is.EquivalentTo(new[] { "uscc", "name" }), "the consumer receives exactly the previewed fields");
    }

    [Test, DependsOnTest(nameof(Steward_ApprovesASubscription_AfterPreviewingWhatTheConsumerWillReceive))]
    public async Task Auditor_ReadsTheVerifiedLog_FiltersIt_AndOpensAnEntry()
    {
        var checkpoint = await _exchange.Factory.Services.GetRequiredService<AuditCheckpoints>().CheckpointAsync();
        var page = await SignedInAsync(_exchange.AdminKey);
        await page.GetByRole(AriaRole.Link, new() { Name = "Audit", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Verified");
        var signed = page.GetByRole(AriaRole.Table).Filter(new() { HasText = "Newest signed checkpoints" });
        await Assertions.Expect(signed.Locator("tbody tr").First).ToContainTextAsync(Convert.ToHexStringLower(checkpoint!.RootHash)[..16]);
        await ConsoleBrowser.ScreenshotBothWidthsAsync(page, "/console/audit", "audit");

        await page.GetByLabel("Action").SelectOptionAsync("subscription-approved");
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        var rows = page.GetByRole(AriaRole.Table).Filter(new() { HasText = "oldest first" }).Locator("tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        await Assertions.Expect(rows.First).ToContainTextAsync(DatasetId);

        await page.GetByLabel("Action").SelectOptionAsync("console-sign-in");
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        Assert.That(await rows.CountAsync(), Is.GreaterThanOrEqualTo(3), "every console sign-in is audited");
        foreach (var text in await rows.AllInnerTextsAsync()) Assert.That(text, Does.Contain("console-sign-in"));

        await rows.First.GetByRole(AriaRole.Link).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("Audit entry");
        await Assertions.Expect(page.Locator("pre")).ToContainTextAsync("remoteAddress");
    }

    [Test]
    public async Task Admin_SeesTheJobsDashboard_ThroughTheConsoleSession()
    {
        var page = await SignedInAsync(_exchange.AdminKey);
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Jobs dashboard" })).ToHaveAttributeAsync("href", "/hangfire");
        // The dashboard keeps polling its stats, so wait for the document only, not for the network to settle.
        var response = await page.GotoAsync("/hangfire", new() { WaitUntil = WaitUntilState.DOMContentLoaded });
        Assert.That(response!.Status, Is.EqualTo(200));
        await Assertions.Expect(page).ToHaveTitleAsync(new Regex("Hangfire"));
    }
}
