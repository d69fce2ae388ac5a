using System.Net;
using Microsoft.Playwright;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Console;

/// <summary>What the console refuses: pages a role may not see, bad keys, revoked keys, cookies on the API.</summary>
public sealed partial class ConsoleTests
{
    [Test, DependsOnTest(nameof(Steward_RegistersADatasetFromTheConsole_AndRunsItsFeed))]
    public async Task Consumer_GetsA403Page_ForPagesItsRoleMayNotSee_AndNoLinksToThem()
    {
        var page = await SignedInAsync(_consumer);
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Audit", Exact = true })).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Register", Exact = true })).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Jobs dashboard" })).ToHaveCountAsync(0);

        foreach (var path in new[] { "/console/audit", "/console/datasets/register", $"/console/datasets/{DatasetId}/runs", $"/console/datasets/{DatasetId}/runs/1/rejected" })
        {
            var response = await page.GotoAsync(path);
            Assert.That(response!.Status, Is.EqualTo(403), path);
            await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("Not allowed");
            await Assertions.Expect(page.Locator("table")).ToHaveCountAsync(0);
        }
        // Another agency's consumer sees the dataset's catalogue entry, without its feed, its runs or their quality chart.
        var dataset = await page.GotoAsync($"/console/datasets/{DatasetId}");
        Assert.That(dataset!.Status, Is.EqualTo(200));
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "All runs" })).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByRole(AriaRole.Img, new() { Name = "Valid and rejected records per run" })).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByText("Feed", new() { Exact = true })).ToHaveCountAsync(0);
        var dashboard = await page.GotoAsync("/hangfire");
        Assert.That(dashboard!.Status, Is.AnyOf(401, 403), "the dashboard is for admins only");
    }

    [Test]
    public async Task Registration_OfAnInvalidManifest_ShowsEveryProblemBesideTheForm()
    {
        var page = await SignedInAsync(_steward);
        await page.GotoAsync("/console/datasets/register");
        await page.GetByLabel("paste the manifest").FillAsync("""{ "id": "gd-amr.broken", "title": "Broken", "keyFields": ["id"], "classification": "secret" }""");
        var response = await page.RunAndWaitForResponseAsync(
            () => page.GetByRole(AriaRole.Button, new() { Name = "Register" }).ClickAsync(), r => r.Request.Method == "POST");
        Assert.That(response.Status, Is.EqualTo(400));
        var alert = page.GetByRole(AriaRole.Alert);
        await Assertions.Expect(alert).ToContainTextAsync("/classification");
        await Assertions.Expect(alert).ToContainTextAsync("/feed");
        await Assertions.Expect(page.GetByLabel("paste the manifest")).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("gd-amr.broken"));
    }

    [Test]
    public async Task SignIn_WithAnUnknownKey_IsRefused_AndTheConsoleCookieDoesNotOpenTheApi()
    {
        _page = await _browser.NewPageAsync(_exchange.Address);
        await _page.GotoAsync("/console/signin");
        await _page.GetByLabel("API key").FillAsync("dx_kunknown0000_notasecret");
        await _page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(_page.GetByRole(AriaRole.Alert)).ToContainTextAsync("unknown, expired or revoked");

        await ConsoleBrowser.SignInAsync(_page, _steward);
        var cookie = (await _page.Context.CookiesAsync()).Single(c => c.Name == "dx_console");
        Assert.Multiple(() =>
        {
            Assert.That(cookie.HttpOnly, Is.True);
            Assert.That(cookie.SameSite, Is.EqualTo(SameSiteAttribute.Strict));
        });
        using var http = new HttpClient { BaseAddress = _exchange.Address };
        // The catalogue answers without a key for public datasets (issue 17); the steward's subscriptions never do.
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/subscriptions");
        request.Headers.Add("Cookie", $"{cookie.Name}={cookie.Value}");
        using var api = await http.SendAsync(request);
        Assert.That(api.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "the API keeps requiring an API key");
        using var console = new HttpRequestMessage(HttpMethod.Get, "/console");
        console.Headers.Add("Cookie", $"{cookie.Name}={cookie.Value}");
        using var page = await http.SendAsync(console);
        Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.OK), "while the same cookie opens the console");
    }

    [Test]
    public async Task RevokingAKey_EndsItsConsoleSession_OnTheNextRequest()
    {
        var key = await _exchange.KeyAsync("gd-amr", "steward");
        var page = await SignedInAsync(key);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Catalogue" })).ToBeVisibleAsync();

        var keyId = key.Split('_')[1];
        await _exchange.Client(_exchange.AdminKey).SendAsync(HttpMethod.Delete, $"/api/v1/agencies/gd-amr/keys/{keyId}");
        await page.GotoAsync("/console");
        Assert.That(page.Url, Does.Contain("/console/signin"), "a revoked key's session is refused");
    }
}
