using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using DataExchange.Core.Audit;
using DataExchange.Core.Datasets;
using DataExchange.Core.Ingestion;
using DataExchange.Core.Subscriptions;
using DataExchange.IntegrationTests.Hosting;
using DataExchange.Server.Console.Subscriptions;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Console;

/// <summary>
/// Issue 18 ("The console speaks its users' language"): the console answers in Simplified Chinese or English by
/// <c>Accept-Language</c>, a visible switch overrides it (a cookie), and times are shown in the configured
/// zone (<c>Console:TimeZone</c>) while the API stays in UTC and English; every text of every console page has its
/// Chinese; problem details keep English titles and types with a <c>detail</c> in the caller's language.
/// </summary>
[TestFixture]
public sealed partial class ConsoleLanguageTests
{
    static string ConsoleFolder => Path.Combine(Samples.RepositoryRoot, "src", "DataExchange.Server", "Console");

    static HashSet<string> Translated(string resx) =>
        [.. XDocument.Load(resx).Root!.Elements("data").Where(d => !string.IsNullOrWhiteSpace(d.Element("value")?.Value)).Select(d => d.Attribute("name")!.Value)];

    /// <summary>
    /// Every text the console's pages and helpers pass to the localizer (<c>T["…"]</c>, both arms of a choice), and the
    /// values they show through it (statuses, classifications, outcomes, triggers, the policy form's choices, problem
    /// titles), has a Simplified Chinese entry: a page cannot gain English-only text unnoticed.
    /// </summary>
    [Test]
    public void EveryConsoleText_HasItsSimplifiedChinese()
    {
        var used = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(ConsoleFolder, "*.*", SearchOption.AllDirectories).Where(f => f.EndsWith(".cshtml", StringComparison.Ordinal) || f.EndsWith(".cs", StringComparison.Ordinal)))
            foreach (Match m in LocalizerCall().Matches(File.ReadAllText(file)))
                foreach (var g in new[] { m.Groups["a"], m.Groups["b"] }.Where(g => g.Success))
                    used.Add(Regex.Unescape(g.Value));
        Assert.That(used, Has.Count.GreaterThan(200), "the console's texts were found");
        used.UnionWith(SubscriptionStatus.All.Select(StatusText.Of));
        used.UnionWith(Classification.All);
        used.UnionWith(Enum.GetValues<AuditOutcome>().Select(AuditNames.Of));
        used.UnionWith(RunNames.Statuses);
        used.UnionWith([.. RunNames.Triggers, "reading", "publishing", "snapshot", "incremental"]);
        used.UnionWith(AccessChoice.Choices.Select(c => c.Label).Concat(PolicyForm.MaskChoices.Select(c => c.Label)).Concat(PolicyForm.FilterChoices.Select(c => c.Label)));
        used.UnionWith(["pull + lookup", "lookup only", "pull only", "Not allowed", "Not found", "Conflict", "Not valid", "Refused", "Too many sign-in attempts",
            "Subscription {0} approved.", "Subscription {0} rejected.", "Subscription {0} revoked.", "Run {0} released as version {1}.", "Run {0} discarded; nothing was published."]);
        used.Remove("");
        var zh = Translated(Path.Combine(ConsoleFolder, "ConsoleText.zh-CN.resx"));
        Assert.That(used.Where(u => !zh.Contains(u)), Is.Empty, "texts without a zh-CN translation");
    }

    [GeneratedRegex("""\b(?:T|t|text)\[(?:[^\]"\n]*\?\s*)?"(?<a>(?:[^"\\]|\\.)*)"(?:\s*:\s*"(?<b>(?:[^"\\]|\\.)*)")?""")]
    private static partial Regex LocalizerCall();

    [Test]
    public async Task ProblemDetails_KeepEnglishTitlesAndTypes_WithADetailInTheCallersLanguage()
    {
        using var exchange = await KestrelExchange.StartAsync("problem_language");
        var consumer = await exchange.KeyAsync("gz-hrss", "consumer");
        async Task<(HttpResponseMessage Response, System.Text.Json.Nodes.JsonNode Problem)> GetAsync(string path, string key, string? language)
        {
            using var http = new HttpClient { BaseAddress = exchange.Address };
            if (language is not null) http.DefaultRequestHeaders.Add("Accept-Language", language);
            var (_, body, response) = await new ApiClient(http, key).SendAsync(HttpMethod.Get, path);
            return (response, body!);
        }

        var (zhResponse, zh) = await GetAsync("/api/v1/datasets/nobody.nothing", exchange.AdminKey, "zh-CN,zh;q=0.9,en;q=0.5");
        Assert.That(zhResponse.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(zh["title"]!.GetValue<string>(), Is.EqualTo("Not found"));
        Assert.That(zh["type"]!.GetValue<string>(), Is.EqualTo("urn:dataexchange:problem:not-found"));
        Assert.That(zh["detail"]!.GetValue<string>(), Is.EqualTo("数据集“nobody.nothing”不存在。"));
        Assert.That(zhResponse.Content.Headers.ContentLanguage.Concat(zhResponse.Headers.TryGetValues("Content-Language", out var v) ? v : []), Does.Contain("zh-CN"));
        var (_, en) = await GetAsync("/api/v1/datasets/nobody.nothing", exchange.AdminKey, "en-GB,en;q=0.9,zh;q=0.5");
        Assert.That(en["detail"]!.GetValue<string>(), Is.EqualTo("Dataset 'nobody.nothing' does not exist."), "English first: English detail");
        var (_, none) = await GetAsync("/api/v1/datasets/nobody.nothing", exchange.AdminKey, null);
        Assert.That(none["detail"]!.GetValue<string>(), Is.EqualTo("Dataset 'nobody.nothing' does not exist."), "no Accept-Language: English");

        // A refusal no template covers: the same stable code for every language, the code's sentence in Chinese, the English kept after it.
        using (var http = new HttpClient { BaseAddress = exchange.Address, DefaultRequestHeaders = { { "Accept-Language", "zh" } } })
        {
            var (status, denied, _) = await new ApiClient(http, consumer).SendAsync(HttpMethod.Post, "/api/v1/datasets", new { id = "gz-hrss.anything" });
            Assert.That(status, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(denied!["type"]!.GetValue<string>(), Is.EqualTo("urn:dataexchange:problem:role-required"));
            Assert.That(denied["title"]!.GetValue<string>(), Is.EqualTo("Forbidden"));
            Assert.That(denied["detail"]!.GetValue<string>(), Does.StartWith("该密钥缺少所需的角色。（This needs the role"));
        }

        // Problems the framework writes (an authentication challenge) are localized the same way.
        var (_, unauthenticated) = await GetAsync("/api/v1/subscriptions", "dx_nobody_garbage", "zh-CN");
        Assert.That(unauthenticated["type"]!.GetValue<string>(), Is.EqualTo("urn:dataexchange:problem:unauthenticated"));
        Assert.That(unauthenticated["detail"]!.GetValue<string>(), Does.StartWith("需要有效的 API 密钥"));
    }

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
