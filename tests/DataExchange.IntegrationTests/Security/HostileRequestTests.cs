using System.Net;
using System.Text.Json.Nodes;
using DataExchange.IntegrationTests.Hosting;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Security;

/// <summary>
/// Issue 8: SSRF through feed and webhook URLs, path traversal in file feeds, remote $ref, and
/// oversized bodies and headers on real Kestrel — each refused with a clear 4xx.
/// </summary>
[TestFixture, Category("Security")]
public sealed class HostileRequestTests : SecurityFixture
{
    static readonly string[] SsrfUrls =
    [
        "http://127.0.0.1/data.csv", "http://localhost:5432/", "http://[::1]/x", "http://169.254.169.254/latest/meta-data/",
        "http://metadata.google.internal/computeMetadata/v1/", "http://0.0.0.0/", "http://2130706433/", "http://10.0.0.5/x.csv",
        "https://data.example.gov.cn.attacker.net/x.csv", "file:///etc/passwd", "gopher://127.0.0.1:25/", "ftp://example.org/x.csv",
    ];

    [Test]
    public async Task FeedUrls_OffTheAllowList_AreRefusedAtRegistration([ValueSource(nameof(SsrfUrls))] string url)
    {
        var manifest = Manifest($"sec-a.ssrf{Math.Abs(url.GetHashCode(StringComparison.Ordinal)) % 100000}");
        manifest["feed"]!["source"] = url;
        var (status, problem, _) = await Client(Keys[(A, "steward")]).SendAsync(HttpMethod.Post, "/api/v1/datasets", manifest);
        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest), problem?.ToJsonString());
        Assert.That(problem!["errors"]!.AsArray().Select(e => e!["pointer"]!.GetValue<string>()), Does.Contain("/feed/source"));
    }

    [Test]
    public async Task WebhookUrls_OffTheAllowList_AreRefused([ValueSource(nameof(SsrfUrls))] string url)
    {
        var (status, problem, _) = await Client(Keys[(B, "consumer")]).SendAsync(HttpMethod.Put, $"/api/v1/subscriptions/{SubscriptionId}/webhook", new { url });
        Assert.That((int)status, Is.InRange(400, 499), problem?.ToJsonString());
        Assert.That((int)status, Is.Not.EqualTo(404).And.Not.EqualTo(401), "refused for the URL, not for the caller");
    }

    [TestCase("file:../people.csv")]
    [TestCase("file:../../../../etc/passwd")]
    [TestCase("file:/etc/passwd")]
    [TestCase("file:sub/../../escape.csv")]
    public async Task FileFeeds_LeavingTheDropFolder_AreRefused(string source)
    {
        var manifest = Manifest($"sec-a.path{Math.Abs(source.GetHashCode(StringComparison.Ordinal)) % 100000}");
        manifest["feed"]!["source"] = source;
        var (status, problem, _) = await Client(Keys[(A, "steward")]).SendAsync(HttpMethod.Post, "/api/v1/datasets", manifest);
        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(problem!["errors"]![0]!["code"]!.GetValue<string>(), Is.EqualTo("path-escapes-root"));
    }

    // The drafts' own metaschemas (http://json-schema.org/draft-07/schema#) are built in and resolve offline, so a
    // $ref to one is a valid schema (issue 15); any other address on json-schema.org is as remote as any other.
    [TestCase("http://json-schema.org/draft-07/definitions.json#")]
    [TestCase("https://example.org/evil.json#/definitions/x")]
    [TestCase("file:///etc/passwd")]
    [TestCase("other.json")]
    public async Task RemoteRefs_AreRefused_AndNothingIsFetched(string reference)
    {
        var manifest = Manifest($"sec-a.ref{Math.Abs(reference.GetHashCode(StringComparison.Ordinal)) % 100000}");
        manifest["schema"]!["properties"]!["name"] = new JsonObject { ["$ref"] = reference };
        var (status, problem, _) = await Client(Keys[(A, "steward")]).SendAsync(HttpMethod.Post, "/api/v1/datasets", manifest);
        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest), problem?.ToJsonString());
        Assert.That(problem!["errors"]!.AsArray().Select(e => e!["pointer"]!.GetValue<string>()), Does.Contain("/schema/properties/name/$ref"));
    }

    [Test]
    public async Task OversizedBodyAndHeaders_OnKestrel_Get413And431()
    {
        using var server = await KestrelExchange.StartAsync("hostile_kestrel");
        // The client waits for the server's answer to Expect: 100-continue for a minute, not the default second: on a
        // loaded machine the 413 took longer, the client began to send and the refused upload broke the pipe.
        using var http = new HttpClient(new SocketsHttpHandler { Expect100ContinueTimeout = TimeSpan.FromMinutes(1) }) { BaseAddress = server.Address };
        http.DefaultRequestHeaders.Authorization = new("Bearer", server.AdminKey);

        var body = new StringContent("{\"code\":\"x\",\"name\":\"" + new string('n', 20 * 1024 * 1024) + "\"}", System.Text.Encoding.UTF8, "application/json");
        // Expect: 100-continue lets the server refuse on Content-Length before a byte of the body is sent,
        // as a well-behaved client would; otherwise the refused upload ends in a broken pipe on our side.
        using var post = new HttpRequestMessage(HttpMethod.Post, "/api/v1/agencies") { Content = body };
        post.Headers.ExpectContinue = true;
        using var tooBig = await http.SendAsync(post);
        Assert.That(tooBig.StatusCode, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge));

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/me");
        request.Headers.Add("X-Padding", new string('h', 64 * 1024));
        using var headers = await http.SendAsync(request);
        Assert.That(headers.StatusCode, Is.EqualTo(HttpStatusCode.RequestHeaderFieldsTooLarge));

        using var after = await http.GetAsync("/api/v1/me");
        Assert.That(after.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the server carries on");
    }
}
