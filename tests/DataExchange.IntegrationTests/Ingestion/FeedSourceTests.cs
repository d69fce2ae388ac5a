using System.Net;
using System.Text.Json.Nodes;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Ingestion;

/// <summary>Issue 4, items 1, 3 and 4: the admin-managed host allow-list, conditional GET, and one run per feed at a time.</summary>
[TestFixture]
public sealed class FeedSourceTests
{
    static readonly JsonObject Schema = JsonNode.Parse("""
        {"type":"object","required":["id","name"],"additionalProperties":false,
         "properties":{"id":{"type":"string"},"name":{"type":"string","maxLength":20}}}
        """)!.AsObject();

    IngestionHarness _h = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _h = await IngestionHarness.StartAsync("ingest_sources");

    [OneTimeTearDown]
    public void Stop() => _h.Dispose();

    [Test]
    public async Task AdminAddedHost_LetsStewardsRegisterHttpFeeds_AndEveryChangeIsAudited()
    {
        var feed = new { source = "http://feeds.example.test/a.csv", format = "csv", cron = "0 2 * * *" };
        var (refused, problem, _) = await _h.Steward.SendAsync(HttpMethod.Post, "/api/v1/datasets",
            new { id = $"{IngestionHarness.Agency}.hosts", title = "hosts", keyFields = new[] { "id" }, classification = "internal", schema = Schema, feed });
        Assert.That(refused, Is.EqualTo(HttpStatusCode.BadRequest), problem?.ToJsonString());
        Assert.That(problem!.ToJsonString(), Does.Contain("host-not-allowed"));

        var (stewardPut, _, _) = await _h.Steward.SendAsync(HttpMethod.Put, "/api/v1/feed-hosts", new { hosts = new[] { "feeds.example.test" } });
        Assert.That(stewardPut, Is.EqualTo(HttpStatusCode.Forbidden), "only operator admins manage hosts");
        var (badPut, badBody, _) = await _h.Admin.SendAsync(HttpMethod.Put, "/api/v1/feed-hosts", new { hosts = new[] { "http://x/y" } });
        Assert.That(badPut, Is.EqualTo(HttpStatusCode.BadRequest), badBody?.ToJsonString());

        var (put, listed, _) = await _h.Admin.SendAsync(HttpMethod.Put, "/api/v1/feed-hosts", new { hosts = new[] { "Feeds.Example.TEST", "127.0.0.1" } });
        Assert.That(put, Is.EqualTo(HttpStatusCode.OK), listed?.ToJsonString());
        var hosts = (await _h.Steward.GetAsync("/api/v1/feed-hosts"))["items"]!.AsArray();
        Assert.That(hosts.Select(x => x!["host"]!.GetValue<string>()), Is.SupersetOf(new[] { "feeds.example.test", "127.0.0.1" }));
        Assert.That(hosts.First(x => x!["host"]!.GetValue<string>() == "feeds.example.test")!["origin"]!.GetValue<string>(), Is.EqualTo("admin"));

        await _h.RegisterAsync("hosts", ["id"], Schema, feed);
        var audit = (await _h.Admin.GetAsync("/api/v1/audit/entries?limit=1000"))["items"]!.AsArray();
        var change = audit.First(e => e!["action"]!.GetValue<string>() == "feed-hosts-updated")!;
        Assert.That(change["details"]!["added"]!.AsArray().Select(a => a!.GetValue<string>()), Is.EquivalentTo(new[] { "feeds.example.test", "127.0.0.1" }));
    }

    [Test]
    public async Task HttpSource_AnsweringNotModified_EndsTheRunUnchanged_AndAChangedBodyPublishes()
    {
        await _h.Admin.SendAsync(HttpMethod.Put, "/api/v1/feed-hosts", new { hosts = new[] { "127.0.0.1" } });
        await using var server = await TinyHttpServer.StartAsync();
        server.Body = "id,name\n1,one\n2,two\n";
        server.ETag = "\"v1\"";
        var id = await _h.RegisterAsync("http", ["id"], Schema, new { source = server.Url + "feed.csv", format = "csv", cron = "0 2 * * *" });

        var first = await _h.RunAsync(id);
        Assert.That(IngestionHarness.Status(first), Is.EqualTo("succeeded"), first.ToJsonString());
        var second = await _h.RunAsync(id);
        Assert.Multiple(() =>
        {
            Assert.That(IngestionHarness.Status(second), Is.EqualTo("unchanged"), second.ToJsonString());
            Assert.That(second["error"]!.GetValue<string>(), Does.Contain("304"));
            Assert.That(server.ConditionalRequests, Is.EqualTo(1), "the second request carried If-None-Match");
        });

        server.Body = "id,name\n1,one\n2,deux\n";
        server.ETag = "\"v2\"";
        var third = await _h.RunAsync(id);
        Assert.That(IngestionHarness.Status(third), Is.EqualTo("succeeded"), third.ToJsonString());
        Assert.That(IngestionHarness.Count(third, "updated"), Is.EqualTo(1));
    }

    [Test]
    public async Task SourceBrieflyDown_IsRetriedWithBackoff_AndTheSameRunSucceeds()
    {
        await _h.Admin.SendAsync(HttpMethod.Put, "/api/v1/feed-hosts", new { hosts = new[] { "127.0.0.1" } });
        await using var server = await TinyHttpServer.StartAsync();
        server.Body = "id,name\n1,one\n";
        server.FailNext = 1;
        var id = await _h.RegisterAsync("flaky", ["id"], Schema, new { source = server.Url + "feed.csv", format = "csv", cron = "0 2 * * *" });

        var run = await _h.RunAsync(id);
        Assert.Multiple(() =>
        {
            Assert.That(IngestionHarness.Status(run), Is.EqualTo("succeeded"), run.ToJsonString());
            Assert.That(server.FailNext, Is.EqualTo(0), "the first attempt met the 503");
            Assert.That(IngestionHarness.Count(run, "inserted"), Is.EqualTo(1));
        });
    }
}
