using System.Net;
using DataExchange.IntegrationTests.Pull;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Subscriptions;

/// <summary>Issue 5: requests are limited per API client, with 429 and Retry-After past the limit.</summary>
[TestFixture]
public sealed class RateLimitTests
{
    [Test]
    public async Task ClientPastItsLimit_Gets429WithRetryAfter_WhileAnotherClientIsServed()
    {
        await using var bed = await PullTestBed.StartAsync("ratelimit", new Dictionary<string, string?> { ["RateLimiting:PermitLimit"] = "5", ["RateLimiting:Window"] = "00:10:00" });
        var first = await bed.NewConsumerAsync("rl1");
        var second = await bed.KeyAsync("rl1", "consumer");
        for (var i = 0; i < 5; i++) await first.GetAsync("/api/v1/datasets");
        var (status, problem, response) = await first.SendAsync(HttpMethod.Get, "/api/v1/datasets");
        Assert.That(status, Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(problem!["type"]!.GetValue<string>(), Is.EqualTo("urn:dataexchange:problem:rate-limited"));
        Assert.That(response.Headers.RetryAfter?.Delta, Is.GreaterThan(TimeSpan.Zero));
        await second.GetAsync("/api/v1/datasets");
    }
}
