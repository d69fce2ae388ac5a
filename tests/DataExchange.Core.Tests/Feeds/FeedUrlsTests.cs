using DataExchange.Core.Common;
using DataExchange.Core.Feeds;
using NUnit.Framework;

namespace DataExchange.Core.Tests.Feeds;

/// <summary>Issue 13, item 11: a feed URL carries no secret, and what is shown of one is redacted.</summary>
public sealed class FeedUrlsTests
{
    static readonly FeedOptions Options = new() { AllowedHosts = ["data.example.gov.cn"] };
    static readonly FeedHostList Hosts = new(Microsoft.Extensions.Options.Options.Create(Options));

    [TestCase("https://feeder:pw@data.example.gov.cn/x.csv")]
    [TestCase("https://data.example.gov.cn/x.csv?token=abc")]
    [TestCase("https://data.example.gov.cn/x.csv?Access_Token=abc")]
    [TestCase("https://data.example.gov.cn/x.csv?api-key=abc")]
    [TestCase("https://data.example.gov.cn/x.csv?apikey=abc")]
    [TestCase("https://data.example.gov.cn/x.csv?key=abc")]
    [TestCase("https://data.example.gov.cn/x.csv?secret=abc")]
    [TestCase("https://data.example.gov.cn/x.csv?password=abc")]
    [TestCase("https://data.example.gov.cn/x.csv?sv=2024-01-01&sig=abc")]
    [TestCase("https://data.example.gov.cn/x.csv?X-Amz-Credential=abc&X-Amz-Signature=def")]
    [TestCase("https://data.example.gov.cn/x.csv?subscription-key=abc")]
    [TestCase("https://data.example.gov.cn/x.csv?private_token=abc")]
    public void UrlCarryingASecret_IsRefused_WithoutRepeatingIt(string url)
    {
        var e = Assert.Throws<InvalidException>(() => FeedValidator.Normalise(new FeedDefinition { Source = url, Cron = "0 2 * * *" }, Options, Hosts, "gd-amr"));
        Assert.That(e!.Code, Is.EqualTo(FeedUrls.SecretInUrl));
        Assert.That(FeedValidator.IsRefusal(e), Is.True);
        Assert.That(e.Message + string.Join(' ', e.Errors.Select(p => p.Message)), Does.Not.Contain("abc").And.Not.Contain("pw@"));
    }

    [TestCase("https://data.example.gov.cn/x.csv")]
    [TestCase("https://data.example.gov.cn/x.csv?format=csv&region=440100&page=2")]
    [TestCase("https://data.example.gov.cn/keys/x.csv?monkey=1&sort_key_order=asc")]
    public void UrlWithoutSecrets_IsAccepted(string url) =>
        Assert.That(FeedValidator.Normalise(new FeedDefinition { Source = url, Cron = "0 2 * * *" }, Options, Hosts, "gd-amr").Source, Is.EqualTo(url));

    [TestCase("https://u:p@data.example.gov.cn:8443/a/x.csv?token=abc&region=440100#frag", "https://data.example.gov.cn:8443/a/x.csv?token=…&region=…")]
    [TestCase("file:gd-amr/x.csv", "file:gd-amr/x.csv")]
    [TestCase("upload", "upload")]
    public void Redact_DropsUserInfoAndQueryValues(string source, string shown) => Assert.That(FeedUrls.Redact(source), Is.EqualTo(shown));

    [Test]
    public void CredentialProblems_NeverQuoteTheSecret()
    {
        var secret = "line\nbreak-SECRET";
        var problems = FeedCredentials.Problems(new FeedCredential { Kind = "bearer", Secret = secret }, "https://data.example.gov.cn/x.csv", "/feed/credential").ToList();
        Assert.That(problems.Select(p => p.Pointer), Is.EqualTo(new[] { "/feed/credential/secret" }));
        Assert.That(problems.Single().Message, Does.Not.Contain("SECRET"));
    }

    [TestCase("bearer", null, null, "file:gd-amr/x.csv", "/feed/credential")]
    [TestCase("basic", null, null, "https://data.example.gov.cn/x.csv", "/feed/credential/username")]
    [TestCase("basic", "a:b", null, "https://data.example.gov.cn/x.csv", "/feed/credential/username")]
    [TestCase("header", null, "Host", "https://data.example.gov.cn/x.csv", "/feed/credential/headerName")]
    [TestCase("header", null, "X Key", "https://data.example.gov.cn/x.csv", "/feed/credential/headerName")]
    [TestCase("bearer", null, "X-Key", "https://data.example.gov.cn/x.csv", "/feed/credential/headerName")]
    [TestCase("cookie", null, null, "https://data.example.gov.cn/x.csv", "/feed/credential/kind")]
    public void CredentialProblems_NameTheField(string kind, string? username, string? header, string source, string pointer) =>
        Assert.That(FeedCredentials.Problems(new FeedCredential { Kind = kind, Username = username, HeaderName = header, Secret = "s" }, source, "/feed/credential").Select(p => p.Pointer),
            Is.EqualTo(new[] { pointer }));
}
