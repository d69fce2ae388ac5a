using System.Net;
using System.Text.Json.Nodes;
using DataExchange.Core.Subscriptions.Notifications;
using DataExchange.IntegrationTests.Hosting;
using DataExchange.IntegrationTests.Pull;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Subscriptions;

/// <summary>
/// Issue 5: a failing webhook endpoint is retried through Hangfire with backoff (shortened here through
/// Webhooks:FirstRetryDelay; production waits 10 s, 30 s, 1.5 min…) until it answers 2xx or the
/// attempts run out, and the delivery list shows every attempt.
/// </summary>
[TestFixture]
public sealed class WebhookRetryTests
{
    [Test]
    public async Task FailingEndpoint_IsRetriedUntilItAnswers_AndTheDeliveryListsEveryAttempt_WhileAHopelessOneEndsFailed()
    {
        await using var bed = await PullTestBed.StartAsync("webhook-retries", new Dictionary<string, string?>
        {
            ["Feeds:AllowedHosts:0"] = "127.0.0.1",
            ["Webhooks:FirstRetryDelay"] = "00:00:00.100",
            ["Webhooks:BackoffFactor"] = "2",
            ["Webhooks:MaxAttempts"] = "4",
        });
        await using var flaky = new FlakyWebhookReceiver(failures: 2);
        await using var broken = new FlakyWebhookReceiver(failures: int.MaxValue);
        var (flakyClient, flakySub, secret) = await SubscribeWithWebhookAsync(bed, "flaky", flaky.Url);
        var (brokenClient, brokenSub, _) = await SubscribeWithWebhookAsync(bed, "broken", broken.Url);

        var version = await bed.PublishAsync(new { id = "x1", name = "X" });

        var delivered = await WaitForDeliveryAsync(flakyClient, flakySub, "delivered");
        Assert.That(delivered["attempts"]!.GetValue<int>(), Is.EqualTo(3));
        Assert.That(delivered["lastStatus"]!.GetValue<int>(), Is.EqualTo(204));
        Assert.That(delivered["history"]!.AsArray().Select(a => (a!["attempt"]!.GetValue<int>(), a["status"]!.GetValue<int>())),
            Is.EqualTo(new[] { (1, 500), (2, 500), (3, 204) }));
        Assert.That(delivered["history"]![0]!["error"]!.GetValue<string>(), Is.EqualTo("Internal Server Error"));

        var requests = flaky.Requests.ToArray();
        Assert.That(requests.Select(r => r.AnsweredWith), Is.EqualTo(new[] { 500, 500, 204 }));
        Assert.That(requests.Select(r => r.DeliveryId).Distinct().ToArray(), Is.EqualTo(new[] { delivered["id"]!.ToString() }), "one delivery, retried");
        foreach (var r in requests)
            Assert.That(r.Signature, Is.EqualTo("v1=" + WebhookJob.Sign(secret, r.Timestamp, r.Body)), "every attempt is signed");
        Assert.That(JsonNode.Parse(requests[^1].Body)!["version"]!.GetValue<int>(), Is.EqualTo(version));

        var failed = await WaitForDeliveryAsync(brokenClient, brokenSub, "failed");
        Assert.That(failed["attempts"]!.GetValue<int>(), Is.EqualTo(4), "Webhooks:MaxAttempts");
        Assert.That(failed["history"]!.AsArray().Select(a => a!["status"]!.GetValue<int>()), Is.EqualTo(new[] { 500, 500, 500, 500 }));
        Assert.That(failed["deliveredAt"], Is.Null);
        Assert.That(broken.Requests, Has.Count.EqualTo(4), "no attempt after the last one");
    }

    static async Task<(ApiClient Client, string SubscriptionId, string Secret)> SubscribeWithWebhookAsync(PullTestBed bed, string agency, string url)
    {
        var client = await bed.NewConsumerAsync(agency);
        var sub = await bed.SubscribeAsync(client, new { });
        var (status, hook, _) = await client.SendAsync(HttpMethod.Put, $"/api/v1/subscriptions/{sub}/webhook", new { url });
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), hook?.ToJsonString());
        return (client, sub, hook!["secret"]!.GetValue<string>());
    }

    // Polls the delivery list until the delivery reaches a final state; 60 s is a hang guard, not a timing assertion.
    static async Task<JsonNode> WaitForDeliveryAsync(ApiClient client, string subscriptionId, string state)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        JsonNode? delivery;
        do
        {
            await Task.Delay(200);
            delivery = (await client.GetAsync($"/api/v1/subscriptions/{subscriptionId}/deliveries"))["items"]!.AsArray().FirstOrDefault();
        } while (delivery?["status"]!.GetValue<string>() is null or "pending" && DateTime.UtcNow < deadline);
        Assert.That(delivery?["status"]?.GetValue<string>(), Is.EqualTo(state), delivery?.ToJsonString());
        return delivery!;
    }
}
