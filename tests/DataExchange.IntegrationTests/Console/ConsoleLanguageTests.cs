using System.Globalization;
using System.Net;
using DataExchange.IntegrationTests.Hosting;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Console;

/// <summary>
/// Issue 18 ("The console speaks its users' language"): the console answers in Simplified Chinese or English by
/// <c>Accept-Language</c>, a visible switch overrides it (a cookie), and times are shown in the configured
/// zone (<c>Console:TimeZone</c>) while the API stays in UTC and English.
/// </summary>
[TestFixture]
public sealed class ConsoleLanguageTests
{
    [Test]
    public async Task TheConsole_SpeaksChineseOrEnglish_AndShowsTimesInItsZone_WhileTheApiStaysUtc()
    {
        using var exchange = await KestrelExchange.StartAsync("language", new Dictionary<string, string?> { ["Console:TimeZone"] = "Asia/Shanghai" });
        using var browser = new ConsoleHttp();
        var signIn = new Uri(exchange.Address, "/console/signin");

        browser.AcceptLanguage = "zh-CN,zh;q=0.9,en;q=0.5";
        var (_, zh) = await browser.GetAsync(signIn);
        Assert.That(zh, Does.Contain("<html lang=\"zh-CN\">").And.Contain("<h1>登录</h1>").And.Contain("API 密钥"));
        Assert.That(zh, Does.Contain(">English</a>"), "the switch to the other language is on the page");
        browser.AcceptLanguage = "en-GB,en;q=0.8";
        var (_, en) = await browser.GetAsync(signIn);
        Assert.That(en, Does.Contain("<html lang=\"en\">").And.Contain("<h1>Sign in</h1>").And.Contain(">中文</a>"));

        // The switch: a cookie that wins over Accept-Language, and a return only to the console itself.
        var (switched, _) = await browser.GetAsync(new Uri(exchange.Address, "/console/language/zh-CN?returnUrl=%2Fconsole%2Fsignin"));
        Assert.That(switched.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        Assert.That(switched.Headers.Location?.ToString(), Is.EqualTo("/console/signin"));
        Assert.That((await browser.GetAsync(signIn)).Body, Does.Contain("<h1>登录</h1>"), "the chosen language wins over Accept-Language: en");
        var (away, _) = await browser.GetAsync(new Uri(exchange.Address, "/console/language/zh-CN?returnUrl=%2F%2Fevil.example%2F"));
        Assert.That(away.Headers.Location?.ToString(), Is.EqualTo("/console"), "no redirect off the console");
        Assert.That((await browser.GetAsync(new Uri(exchange.Address, "/console/language/fr"))).Response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));

        // Times: the audit page in Asia/Shanghai, the API in UTC, for the same entry.
        using (var signedIn = await browser.SignInAsync(exchange.Address, exchange.AdminKey))
            Assert.That(signedIn.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        var entries = (await exchange.Client(exchange.AdminKey).GetAsync("/api/v1/audit/entries"))["items"]!.AsArray();
        var newest = entries.MaxBy(e => e!["seq"]!.GetValue<long>())!;
        var at = newest["at"]!.GetValue<string>();
        Assert.That(at, Does.EndWith("Z").Or.EndWith("+00:00"), "the API stays UTC");
        var shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
        var local = TimeZoneInfo.ConvertTime(DateTimeOffset.Parse(at, CultureInfo.InvariantCulture), shanghai).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " +08:00";
        var (audit, page) = await browser.GetAsync(new Uri(exchange.Address, "/console/audit"));
        Assert.That(audit.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(WebUtility.HtmlDecode(page), Does.Contain(local), $"entry {newest["seq"]} at {at} shown in Asia/Shanghai");
        Assert.That(page, Does.Contain("审计"), "signed-in pages speak the chosen language too");

        var (status, problem, _) = await new ApiClient(new HttpClient { BaseAddress = exchange.Address, DefaultRequestHeaders = { { "Accept-Language", "zh-CN" } } }, exchange.AdminKey)
            .SendAsync(HttpMethod.Get, "/api/v1/datasets/nobody.nothing");
        Assert.That(status, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(problem!["title"]!.GetValue<string>(), Does.Match("^[ -~]+$"), "problem titles stay English for every Accept-Language");
    }
}
