using System.Net;
using DataExchange.IntegrationTests.Pull;
using Npgsql;
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

        // Session 13: the refusals are on the record — one entry for the client's window, every refusal counted.
        for (var i = 0; i < 20; i++)
            Assert.That((await first.SendAsync(HttpMethod.Get, "/api/v1/datasets")).Status, Is.EqualTo(HttpStatusCode.TooManyRequests));
        var clientId = first.Key!.Split('_')[1];
        await using var conn = new NpgsqlConnection(bed.ConnectionString);
        await conn.OpenAsync();
        await using (var entries = new NpgsqlCommand("""
            select count(*) from dx.audit_log where action = 'request-refused' and actor_client = $1
              and details ->> 'status' = '429' and details ->> 'problem' = 'rate-limited' and details -> 'window' ->> 'counter' = 'dx.refusal_windows'
            """, conn) { Parameters = { new() { Value = clientId } } })
            Assert.That(await entries.ExecuteScalarAsync(), Is.EqualTo(1L));
        await using (var counted = new NpgsqlCommand("select sum(refused) from dx.refusal_windows where kind = $1", conn) { Parameters = { new() { Value = "rate-limited:" + clientId } } })
            Assert.That(await counted.ExecuteScalarAsync(), Is.EqualTo(21L));
    }
}
