using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Pull;

/// <summary>Issue 5: every element of an access policy, applied to real pulls.</summary>
[TestFixture]
public sealed class PolicyTests
{
    PullTestBed _bed = null!;
    int _consumers;

    static readonly object[] People =
    [
        new { id = "p1", name = "Ann", phone = "13800001111", city = "Guangzhou", age = 34, born = "1990-01-05" },
        new { id = "p2", name = "=HYPERLINK(\"x\")", phone = "13800002222", city = "Shenzhen", age = 17, born = "2007-03-01" },
        new { id = "p3", name = "Cai, Wen", phone = "13800003333", city = "Guangzhou", age = 65, born = "1959-12-31" },
        new { id = "p4", name = "Dai", city = "Foshan", age = 40, born = "1984-07-07" },
    ];

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _bed = await PullTestBed.StartAsync("policy", new Dictionary<string, string?> { ["Pull:HashKey"] = Convert.ToBase64String(new byte[32]) });
        await _bed.PublishAsync(People);
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _bed.DisposeAsync();

    async Task<(Hosting.ApiClient Consumer, string SubscriptionId)> ConsumerWithAsync(object policy, DateTimeOffset? expiresAt = null)
    {
        var consumer = await _bed.NewConsumerAsync($"con{++_consumers}");
        return (consumer, await _bed.SubscribeAsync(consumer, policy, expiresAt));
    }

    static async Task<List<JsonObject>> AllAsync(Hosting.ApiClient consumer) =>
        (await consumer.GetAsync($"/api/v1/datasets/{PullTestBed.DatasetId}/records"))["items"]!.AsArray().Select(i => i!.AsObject()).ToList();

    [Test]
    public async Task Fields_AreTheOnlyPropertiesReturned()
    {
        var (consumer, _) = await ConsumerWithAsync(new { fields = new[] { "id", "city" } });
        var rows = await AllAsync(consumer);
        Assert.That(rows, Has.Count.EqualTo(4));
        Assert.That(rows.SelectMany(r => r.Select(p => p.Key)).Distinct(), Is.EquivalentTo(new[] { "id", "city" }));
    }

    [Test]
    public async Task RedactMask_NullsTheValue()
    {
        var (consumer, _) = await ConsumerWithAsync(new { masks = new { phone = "redact" } });
        var p1 = (await AllAsync(consumer)).Single(r => r["id"]!.GetValue<string>() == "p1");
        Assert.That(p1.ContainsKey("phone") && p1["phone"] is null, Is.True, p1.ToJsonString());
        Assert.That(p1["name"]!.GetValue<string>(), Is.EqualTo("Ann"));
    }

    [Test]
    public async Task PartialMask_KeepsTheLastCharacters()
    {
        var (consumer, _) = await ConsumerWithAsync(new { masks = new { phone = new { type = "partial", keepLast = 4 } } });
        var p1 = (await AllAsync(consumer)).Single(r => r["id"]!.GetValue<string>() == "p1");
        Assert.That(p1["phone"]!.GetValue<string>(), Is.EqualTo("*******1111"));
    }

    [Test]
    public async Task HashMask_IsTheKeyedHmacOfTheValue_SoConsumersCanJoinOnIt()
    {
        var (consumer, _) = await ConsumerWithAsync(new { masks = new { phone = "hash" } });
        var p1 = (await AllAsync(consumer)).Single(r => r["id"]!.GetValue<string>() == "p1");
        var expected = Convert.ToHexStringLower(HMACSHA256.HashData(new byte[32], Encoding.UTF8.GetBytes("13800001111")));
        Assert.That(p1["phone"]!.GetValue<string>(), Is.EqualTo(expected));
    }

    [Test]
    public async Task EqualsFilter_ReturnsOnlyMatchingRows()
    {
        var (consumer, _) = await ConsumerWithAsync(new { filters = new[] { new { field = "city", equals = "Guangzhou" } } });
        Assert.That((await AllAsync(consumer)).Select(r => r["id"]!.GetValue<string>()), Is.EqualTo(new[] { "p1", "p3" }));
    }

    [Test]
    public async Task InFilter_ReturnsRowsWithAnyListedValue()
    {
        var (consumer, _) = await ConsumerWithAsync(new { filters = new[] { new { field = "city", @in = new[] { "Shenzhen", "Foshan" } } } });
        Assert.That((await AllAsync(consumer)).Select(r => r["id"]!.GetValue<string>()), Is.EqualTo(new[] { "p2", "p4" }));
    }

    [Test]
    public async Task NumericRangeFilter_IsInclusiveAndNumeric()
    {
        var (consumer, _) = await ConsumerWithAsync(new { filters = new[] { new { field = "age", range = new { min = 18, max = 65 } } } });
        Assert.That((await AllAsync(consumer)).Select(r => r["id"]!.GetValue<string>()), Is.EqualTo(new[] { "p1", "p3", "p4" }));
    }

    [Test]
    public async Task StringRangeFilter_ComparesIsoDates()
    {
        var (consumer, _) = await ConsumerWithAsync(new { filters = new[] { new { field = "born", range = new { min = "1980-01-01" } } } });
        Assert.That((await AllAsync(consumer)).Select(r => r["id"]!.GetValue<string>()), Is.EqualTo(new[] { "p1", "p2", "p4" }));
    }

    [Test]
    public async Task FilterValueWithSqlInIt_IsAParameterNotSql()
    {
        var (consumer, _) = await ConsumerWithAsync(new { filters = new[] { new { field = "city", equals = "x' or '1'='1" } } });
        Assert.That(await AllAsync(consumer), Is.Empty);
    }

    [Test]
    public async Task InvalidPolicy_IsRefusedWithPointers()
    {
        var consumer = await _bed.NewConsumerAsync($"con{++_consumers}");
        var sub = await consumer.PostAsync("/api/v1/subscriptions", new { datasetId = PullTestBed.DatasetId, purpose = "testing" });
        var problem = await _bed.Steward.PostAsync($"/api/v1/subscriptions/{sub["id"]}/approval",
            new { policy = new { fields = new[] { "nope" }, masks = new { phone = "scramble" }, filters = new[] { new { field = "age" } }, colour = 1 } }, HttpStatusCode.BadRequest);
        var pointers = problem["errors"]!.AsArray().Select(e => e!["pointer"]!.GetValue<string>()).ToList();
        Assert.That(pointers, Is.SupersetOf(new[] { "/policy/fields/0", "/policy/masks/phone", "/policy/filters/0", "/policy/colour" }));
    }

    [Test]
    public async Task Expiry_PassingBetweenTwoRequests_RefusesTheSecond()
    {
        var (consumer, _) = await ConsumerWithAsync(new { }, _bed.Clock.GetUtcNow().AddMinutes(10));
        Assert.That(await AllAsync(consumer), Has.Count.EqualTo(4));
        _bed.Clock.Advance(TimeSpan.FromMinutes(11));
        var (status, problem, _) = await consumer.SendAsync(HttpMethod.Get, $"/api/v1/datasets/{PullTestBed.DatasetId}/records");
        Assert.That(status, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(problem!["type"]!.GetValue<string>(), Is.EqualTo("urn:dataexchange:problem:policy-expired"));
    }

    [Test]
    public async Task Revocation_IsEffectiveOnTheNextRequest()
    {
        var (consumer, subId) = await ConsumerWithAsync(new { });
        Assert.That(await AllAsync(consumer), Has.Count.EqualTo(4));
        var (revoked, _, _) = await _bed.Steward.SendAsync(HttpMethod.Delete, $"/api/v1/subscriptions/{subId}");
        Assert.That(revoked, Is.EqualTo(HttpStatusCode.OK));
        var (status, problem, _) = await consumer.SendAsync(HttpMethod.Get, $"/api/v1/datasets/{PullTestBed.DatasetId}/records");
        Assert.That(status, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(problem!["type"]!.GetValue<string>(), Is.EqualTo("urn:dataexchange:problem:subscription-revoked"));
    }

    [Test]
    public async Task DailyQuota_ServesUpToTheQuotaThenAnswers429UntilMidnightUtc()
    {
        var (consumer, _) = await ConsumerWithAsync(new { dailyRowQuota = 3 });
        var first = await consumer.GetAsync($"/api/v1/datasets/{PullTestBed.DatasetId}/records?limit=2");
        Assert.That(first["items"]!.AsArray(), Has.Count.EqualTo(2));
        var second = await consumer.GetAsync($"/api/v1/datasets/{PullTestBed.DatasetId}/records?after={first["next"]}");
        Assert.That(second["items"]!.AsArray(), Has.Count.EqualTo(1), "only the rest of the quota is served");
        var (status, problem, response) = await consumer.SendAsync(HttpMethod.Get, $"/api/v1/datasets/{PullTestBed.DatasetId}/records");
        Assert.That(status, Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(problem!["type"]!.GetValue<string>(), Is.EqualTo("urn:dataexchange:problem:quota-exceeded"));
        Assert.That(response.Headers.RetryAfter?.Delta, Is.Not.Null);
        _bed.Clock.Advance(TimeSpan.FromDays(1));
        Assert.That(await AllAsync(consumer), Has.Count.EqualTo(3), "a new UTC day restores the quota");
    }

    [Test]
    public async Task AccessDecision_ExplainsWithoutData()
    {
        var (consumer, subId) = await ConsumerWithAsync(new { fields = new[] { "id", "phone" }, masks = new { phone = "hash" } });
        var decision = await consumer.GetAsync($"/api/v1/datasets/{PullTestBed.DatasetId}/access");
        Assert.That(decision["allowed"]!.GetValue<bool>(), Is.True);
        Assert.That(decision["subscriptionId"]!.GetValue<string>(), Is.EqualTo(subId));
        Assert.That(decision["policy"]!["masks"]!["phone"]!.GetValue<string>(), Is.EqualTo("hash"));
        var stranger = await _bed.NewConsumerAsync($"con{++_consumers}");
        var denied = await stranger.GetAsync($"/api/v1/datasets/{PullTestBed.DatasetId}/access");
        Assert.That(denied["allowed"]!.GetValue<bool>(), Is.False);
        Assert.That(denied["code"]!.GetValue<string>(), Is.EqualTo("subscription-required"));
    }

    [Test]
    public async Task AutoApproval_OfAPublicDataset_ApprovesOnArrivalWithTheDefaultPolicy()
    {
        var (put, _, _) = await _bed.Steward.SendAsync(HttpMethod.Put, $"/api/v1/datasets/{PullTestBed.DatasetId}/auto-approval",
            new { policy = new { fields = new[] { "id", "city" } } });
        Assert.That(put, Is.EqualTo(HttpStatusCode.OK));
        try
        {
            var consumer = await _bed.NewConsumerAsync($"con{++_consumers}");
            var sub = await consumer.PostAsync("/api/v1/subscriptions", new { datasetId = PullTestBed.DatasetId, purpose = "open data" });
            Assert.That(sub["status"]!.GetValue<string>(), Is.EqualTo("approved"));
            var rows = await AllAsync(consumer);
            Assert.That(rows.SelectMany(r => r.Select(p => p.Key)).Distinct(), Is.EquivalentTo(new[] { "id", "city" }));
        }
        finally
        {
            await _bed.Steward.SendAsync(HttpMethod.Delete, $"/api/v1/datasets/{PullTestBed.DatasetId}/auto-approval");
        }
    }
}
