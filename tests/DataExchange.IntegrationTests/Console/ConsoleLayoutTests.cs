using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using DataExchange.IntegrationTests.Hosting;
using Microsoft.Playwright;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Console;

/// <summary>
/// Issue 18, item 8: at 390 px <c>/console/subscriptions</c> was 886 px wide and its Review and Revoke buttons were
/// off-screen. Every console page, in the role that uses it, at 1280 and 390 px: no horizontal overflow of the page,
/// and every control (button, field) inside the viewport without scrolling sideways. Screenshots of each are kept
/// under TestResults/screenshots/layout-*.
/// </summary>
[TestFixture, Category(TestCategories.Browser)]
public sealed class ConsoleLayoutTests
{
    const string DatasetId = "gd-amr.business-licences";
    KestrelExchange _exchange = null!;
    ConsoleBrowser _browser = null!;
    string _steward = null!, _consumer = null!, _pending = null!, _runId = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _exchange = await KestrelExchange.StartAsync("console_layout", new Dictionary<string, string?> { ["Console:SignIn:PermitLimit"] = "1000" });
        _steward = await _exchange.KeyAsync("gd-amr", "steward");
        _consumer = await _exchange.KeyAsync("gz-hrss", "consumer");
        var other = await _exchange.KeyAsync("sz-hrss", "consumer");
        _exchange.DropSampleLicences();
        var steward = _exchange.Client(_steward);
        var manifest = JsonNode.Parse(await File.ReadAllTextAsync(Samples.Path("datasets", $"{DatasetId}.json")))!.AsObject();
        manifest.Remove("schemaFile");
        manifest["schema"] = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(Samples.RepositoryRoot, "schemas", $"{DatasetId}.schema.json")));
        await steward.PostAsync("/api/v1/datasets", manifest);
        var queued = await steward.PostAsync($"/api/v1/datasets/{DatasetId}/runs", null, HttpStatusCode.Accepted);
        _runId = queued["id"]!.GetValue<string>();
        await steward.WaitForRunAsync(DatasetId, _runId);
        // The same file again: a run that reads nothing (unchanged), which the quality chart leaves out.
        var again = await steward.PostAsync($"/api/v1/datasets/{DatasetId}/runs", null, HttpStatusCode.Accepted);
        Assert.That((await steward.WaitForRunAsync(DatasetId, again["id"]!.GetValue<string>()))["status"]!.GetValue<string>(), Is.EqualTo("unchanged"));
        // A long purpose and an approved grant: the rows that overflowed.
        var granted = await _exchange.Client(other).PostAsync("/api/v1/subscriptions", new { datasetId = DatasetId, purpose = "Cross-check employers against social insurance contributions of every district, monthly" });
        await steward.PostAsync($"/api/v1/subscriptions/{granted["id"]!.GetValue<string>()}/approval", new { policy = new { fields = new[] { "uscc", "name", "status", "district" } } }, HttpStatusCode.OK);
        _pending = (await _exchange.Client(_consumer).PostAsync("/api/v1/subscriptions", new { datasetId = DatasetId, purpose = "Verify employers before paying subsidies to them" }))["id"]!.GetValue<string>();
        _browser = await ConsoleBrowser.LaunchAsync();
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _browser.DisposeAsync();
        _exchange.Dispose();
    }

    (string Key, string Path, string Name)[] Pages =>
    [
        (_steward, "/console", "home"),
        (_steward, "/console/datasets/register", "register"),
        (_steward, $"/console/datasets/{DatasetId}", "dataset"),
        (_steward, $"/console/datasets/{DatasetId}/runs", "runs"),
        (_steward, $"/console/datasets/{DatasetId}/runs/{_runId}/rejected", "rejected"),
        (_steward, "/console/subscriptions", "subscriptions"),
        (_steward, $"/console/subscriptions/{_pending}/approve", "approve"),
        (_steward, "/console/signout", "signout"),
        (_consumer, "/console/subscriptions", "subscriptions-consumer"),
        (_exchange.AdminKey, "/console/audit", "audit"),
        (_exchange.AdminKey, "/console/audit/3", "audit-entry"),
    ];

    [Test]
    public async Task EveryConsolePage_FitsAt1280And390Px_WithEveryControlOnScreen()
    {
        var pages = Pages;
        var problems = new List<string>();
        foreach (var width in new[] { 1280, 390 })
        {
            var signIn = await _browser.NewPageAsync(_exchange.Address, width);
            problems.AddRange(await CheckAsync(signIn, "/console/signin", $"signin-{width}"));
            await signIn.Context.CloseAsync();
            foreach (var group in pages.GroupBy(p => p.Key))
            {
                var page = await _browser.NewPageAsync(_exchange.Address, width);
                await ConsoleBrowser.SignInAsync(page, group.Key);
                foreach (var (_, path, name) in group) problems.AddRange(await CheckAsync(page, path, $"{name}-{width}"));
                await page.Context.CloseAsync();
            }
        }
        Assert.That(problems, Is.Empty);
    }

    [Test]
    public async Task TheQualityChartsCaption_CountsTheRunsItDraws()
    {
        var page = await _browser.NewPageAsync(_exchange.Address);
        await ConsoleBrowser.SignInAsync(page, _steward);
        await page.GotoAsync($"/console/datasets/{DatasetId}");
        var bars = await page.Locator("svg.chart rect.valid").CountAsync();
        Assert.That(bars, Is.EqualTo(1), "the unchanged run read nothing and has no bar");
        await Assertions.Expect(page.Locator("figcaption")).ToContainTextAsync("1 run ");
        await Assertions.Expect(page.Locator("figcaption")).Not.ToContainTextAsync("last 2 runs");
        await page.Context.CloseAsync();
    }

    /// <summary>
    /// Issue 18 ("The console speaks its users' language"): every page in Simplified Chinese (by Accept-Language), at 390 px,
    /// fits and says its headings, labels, buttons, column heads, captions and terms in Chinese — an element of those
    /// with an English word and no Chinese character is untranslated (field names, codes and the preview's columns are data).
    /// </summary>
    [Test]
    public async Task EveryConsolePage_InSimplifiedChinese_FitsAt390Px_WithNoEnglishLeftInItsTexts()
    {
        var problems = new List<string>();
        var signIn = await _browser.NewPageAsync(_exchange.Address, 390);
        await signIn.GotoAsync("/console/signin");
        Assert.That(await UntranslatedAsync(signIn), Does.Contain("Sign in").And.Contain("API key"), "the check sees English where there is English");
        await signIn.Context.SetExtraHTTPHeadersAsync(new Dictionary<string, string> { ["Accept-Language"] = "zh-CN,zh;q=0.9" });
        problems.AddRange(await CheckAsync(signIn, "/console/signin", "zh-signin-390"));
        problems.AddRange((await UntranslatedAsync(signIn)).Select(t => $"zh-signin: /console/signin shows untranslated \"{t}\""));
        await signIn.Context.CloseAsync();
        foreach (var group in Pages.GroupBy(p => p.Key))
        {
            var page = await _browser.NewPageAsync(_exchange.Address, 390);
            await ConsoleBrowser.SignInAsync(page, group.Key);
            await page.Context.SetExtraHTTPHeadersAsync(new Dictionary<string, string> { ["Accept-Language"] = "zh-CN,zh;q=0.9" });
            foreach (var (_, path, name) in group)
            {
                problems.AddRange(await CheckAsync(page, path, $"zh-{name}-390"));
                var english = await UntranslatedAsync(page);
                problems.AddRange(english.Select(t => $"zh-{name}: {path} shows untranslated \"{t}\""));
                Assert.That(await page.EvaluateAsync<string>("() => document.documentElement.lang"), Is.EqualTo("zh-CN"), path);
            }
            await page.Context.CloseAsync();
        }
        Assert.That(problems, Is.Empty);
    }

    /// <summary>The texts of headings, labels, buttons, column heads, captions and terms with an English word and no Chinese character.</summary>
    static Task<string[]> UntranslatedAsync(IPage page) =>
        page.EvaluateAsync<string[]>("""
                    () => {
                      const skip = e => e.closest('#h-preview, section[aria-labelledby=h-preview], pre') || (e.matches('label') && e.querySelector('input[type=checkbox]'));
                      return [...document.querySelectorAll('main h2, main label, main button, main th, main legend, main caption, main dt, main summary, main figcaption, main a.button, header nav a, header button')]
                        .filter(e => !skip(e))
                        .map(e => { const c = e.cloneNode(true); c.querySelectorAll('code').forEach(x => x.remove()); return c.textContent.replace(/\s+/g, ' ').trim(); })
                        .filter(t => /[A-Za-z]{3,}/.test(t.replace(/\b(API|UTC|JSON|Merkle|Hangfire|DataExchange|Cookie|dx_\w*|English|id)\b/g, '')) && !/[\u4e00-\u9fff]/.test(t));
                    }
                    """);

    static async Task<IEnumerable<string>> CheckAsync(IPage page, string path, string name)
    {
        var response = await page.GotoAsync(path);
        await ConsoleBrowser.ScreenshotAsync(page, Path.Combine("screenshots", $"layout-{name}.png"));
        if (response?.Status != 200) return [$"{name}: {path} answered {response?.Status}"];
        var layout = await page.EvaluateAsync<JsonElement>("""
            () => {
              const width = document.documentElement.clientWidth;
              const off = [...document.querySelectorAll('button, a.button, input:not([type=hidden]), select, textarea')]
                .filter(e => e.getClientRects().length > 0)
                .filter(e => { const r = e.getBoundingClientRect(); return r.right > width + 1 || r.left < -1; })
                .map(e => e.outerHTML.slice(0, 100));
              return { width, scrollWidth: document.documentElement.scrollWidth, off };
            }
            """);
        var problems = new List<string>();
        var width = layout.GetProperty("width").GetInt32();
        var scrollWidth = layout.GetProperty("scrollWidth").GetInt32();
        if (scrollWidth > width) problems.Add($"{name}: {path} is {scrollWidth} px wide in a {width} px viewport");
        problems.AddRange(layout.GetProperty("off").EnumerateArray().Select(e => $"{name}: {path} has a control off-screen: {e.GetString()}"));
        return problems;
    }
}
