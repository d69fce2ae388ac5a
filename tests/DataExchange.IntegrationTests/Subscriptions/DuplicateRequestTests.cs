using System.Net;
using System.Text.Json.Nodes;
using DataExchange.IntegrationTests.Hosting;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Subscriptions;

/// <summary>
/// Issue 18, item 8: a second request for a dataset an agency already asked for (or has) created a second
/// subscription. One agency holds at most one open subscription (pending, or approved and not expired) per dataset:
/// a second request is refused 409 naming the one it has, also when the requests race; after a rejection or a
/// revocation the agency may ask again.
/// </summary>
[TestFixture]
public sealed class DuplicateRequestTests() : ExchangeFixture("dup_subs")
{
    ApiClient _steward = null!, _consumer = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _steward = await Admin.NewAgencyAsync("gd-dup", "Owner");
        _consumer = await Admin.NewAgencyAsync("gz-dup", "Consumer", "consumer");
    }

    async Task<string> RegisterAsync(string slug)
    {
        var id = $"gd-dup.{slug}";
        await _steward.PostAsync("/api/v1/datasets", new
        {
            id, title = slug, keyFields = new[] { "code" }, classification = "internal",
            schema = JsonNode.Parse("""{"type":"object","required":["code"],"properties":{"code":{"type":"string"}}}"""),
            feed = new { source = "upload", format = "csv" },
        });
        return id;
    }

    async Task<List<JsonNode>> SubscriptionsOfAsync(string datasetId) =>
        [.. (await _consumer.GetAsync("/api/v1/subscriptions?limit=1000"))["items"]!.AsArray().Where(s => s!["datasetId"]!.GetValue<string>() == datasetId).Select(s => s!)];

    [Test]
    public async Task ASecondRequest_WhilePendingOrApproved_IsRefused_NamingTheFirst()
    {
        var id = await RegisterAsync("twice");
        var first = await _consumer.PostAsync("/api/v1/subscriptions", new { datasetId = id, purpose = "First" });
        var subscription = first["id"]!.GetValue<string>();

        var (status, problem, _) = await _consumer.SendAsync(HttpMethod.Post, "/api/v1/subscriptions", new { datasetId = id, purpose = "Again" });
        Assert.That(status, Is.EqualTo(HttpStatusCode.Conflict), problem?.ToJsonString());
        Assert.That(problem!["type"]!.GetValue<string>(), Is.EqualTo("urn:dataexchange:problem:subscription-exists"));
        Assert.That(problem["detail"]!.GetValue<string>(), Does.Contain(subscription).And.Contain("pending"));

        await _steward.PostAsync($"/api/v1/subscriptions/{subscription}/approval", new { policy = new { fields = new[] { "code" } } }, HttpStatusCode.OK);
        var (again, approvedProblem, _) = await _consumer.SendAsync(HttpMethod.Post, "/api/v1/subscriptions", new { datasetId = id, purpose = "Once more" });
        Assert.That(again, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That(approvedProblem!["detail"]!.GetValue<string>(), Does.Contain(subscription).And.Contain("approved"));
        Assert.That(await SubscriptionsOfAsync(id), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task RacingRequests_CreateExactlyOne()
    {
        var id = await RegisterAsync("race");
        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            _consumer.SendAsync(HttpMethod.Post, "/api/v1/subscriptions", new { datasetId = id, purpose = $"Racer {i}" })));
        Assert.That(answers.Count(a => a.Status == HttpStatusCode.Created), Is.EqualTo(1));
        Assert.That(answers.Count(a => a.Status == HttpStatusCode.Conflict), Is.EqualTo(7));
        Assert.That(await SubscriptionsOfAsync(id), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task AfterARejection_TheAgencyMayAskAgain()
    {
        var id = await RegisterAsync("again");
        var first = await _consumer.PostAsync("/api/v1/subscriptions", new { datasetId = id, purpose = "First" });
        await _steward.PostAsync($"/api/v1/subscriptions/{first["id"]!.GetValue<string>()}/rejection", new { reason = "Say why" }, HttpStatusCode.OK);
        var second = await _consumer.PostAsync("/api/v1/subscriptions", new { datasetId = id, purpose = "First, better explained" });
        Assert.That(second["status"]!.GetValue<string>(), Is.EqualTo("pending"));
        Assert.That(await SubscriptionsOfAsync(id), Has.Count.EqualTo(2), "the rejected one stays on record");
    }
}
