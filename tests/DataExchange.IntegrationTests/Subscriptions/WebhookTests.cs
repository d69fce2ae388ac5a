using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using DataExchange.Core.Subscriptions.Notifications;
using DataExchange.IntegrationTests.Pull;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Subscriptions;

/// <summary>Issue 5: a published version is announced to the subscriber's webhook, signed, through the outbox and Hangfire.</summary>
[TestFixture]
public sealed class WebhookTests
{
    [Test]
    public async Task PublishedVersion_IsPostedSignedToTheWebhook_AndListedAsDelivered()
    {
        await using var bed = await PullTestBed.StartAsync("webhooks", new Dictionary<string, string?> { ["Feeds:AllowedHosts:0"] = "127.0.0.1" });
        var consumer = await bed.NewConsumerAsync("hook");
        var subId = await bed.SubscribeAsync(consumer, new { });

        var (refused, problem, _) = await consumer.SendAsync(HttpMethod.Put, $"/api/v1/subscriptions/{subId}/webhook", new { url = "http://example.org/hook" });
        Assert.That(refused, Is.EqualTo(HttpStatusCode.BadRequest), problem?.ToJsonString());

        var port = FreePort();
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        var (status, hook, _) = await consumer.SendAsync(HttpMethod.Put, $"/api/v1/subscriptions/{subId}/webhook", new { url = $"http://127.0.0.1:{port}/hook" });
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), hook?.ToJsonString());
        var secret = hook!["secret"]!.GetValue<string>();

        var received = listener.GetContextAsync();
        var version = await bed.PublishAsync(new { id = "x1", name = "X" }, new { id = "x2", name = "Y" });
        var context = await received.WaitAsync(TimeSpan.FromSeconds(30));
        var body = await new StreamReader(context.Request.InputStream).ReadToEndAsync();
        var timestamp = context.Request.Headers["X-DataExchange-Timestamp"]!;
        var signature = context.Request.Headers["X-DataExchange-Signature"];
        context.Response.StatusCode = 204;
        context.Response.Close();

        Assert.That(signature, Is.EqualTo("v1=" + WebhookJob.Sign(secret, timestamp, body)));
        var payload = JsonNode.Parse(body)!;
        Assert.That(payload["datasetId"]!.GetValue<string>(), Is.EqualTo(PullTestBed.DatasetId));
        Assert.That(payload["version"]!.GetValue<int>(), Is.EqualTo(version));
        Assert.That(payload["counts"]!["inserted"]!.GetValue<long>(), Is.EqualTo(2));

        JsonNode delivery;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        do
        {
            await Task.Delay(100);
            delivery = (await consumer.GetAsync($"/api/v1/subscriptions/{subId}/deliveries"))["items"]![0]!;
        } while (delivery["status"]!.GetValue<string>() != "delivered" && DateTime.UtcNow < deadline);
        Assert.That(delivery["status"]!.GetValue<string>(), Is.EqualTo("delivered"));
        Assert.That(delivery["lastStatus"]!.GetValue<int>(), Is.EqualTo(204));
    }

    static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }
}
