using System.Net;
using DataExchange.Core.Subscriptions.Notifications;
using DataExchange.IntegrationTests.Pull;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Subscriptions;

/// <summary>
/// Issue 19, item 8: a webhook delivery committed by the fan-out but never handed to Hangfire (the process
/// stopped between the commit and the enqueue) is queued by the outbox dispatcher a minute on, and sent.
/// </summary>
[TestFixture]
public sealed class StuckDeliveryTests
{
    [Test]
    public async Task APendingDeliveryNeverQueued_IsQueuedAMinuteOn_AndDelivered()
    {
        await using var bed = await PullTestBed.StartAsync("webhook-stuck", new Dictionary<string, string?> { ["Feeds:AllowedHosts:0"] = "127.0.0.1" });
        await using var receiver = new FlakyWebhookReceiver(failures: 0);
        var client = await bed.NewConsumerAsync("stuck");
        var subscription = await bed.SubscribeAsync(client, new { });
        var (status, hook, _) = await client.SendAsync(HttpMethod.Put, $"/api/v1/subscriptions/{subscription}/webhook", new { url = receiver.Url });
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), hook?.ToJsonString());

        // The row as the fan-out commits it, with no job behind it.
        await using var db = NpgsqlDataSource.Create(bed.ConnectionString);
        await using var insert = db.CreateCommand("""
            insert into dx.webhook_deliveries (subscription_id, dataset_id, version, body, status, created_at)
            values ($1, $2, 1, '{"stuck":true}', 'pending', $3) returning id
            """);
        insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = subscription });
        insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = PullTestBed.DatasetId });
        insert.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = bed.Clock.GetUtcNow() });
        var id = (long)(await insert.ExecuteScalarAsync())!;

        var dispatcher = bed.Services.GetServices<IHostedService>().OfType<OutboxDispatcher>().Single();
        Assert.That(await dispatcher.RequeueStuckAsync(CancellationToken.None), Is.Zero, "not a minute old: its dispatcher may still queue it");

        bed.Clock.Advance(OutboxDispatcher.RequeueAfter + TimeSpan.FromSeconds(1));
        // The server's own dispatcher loop sweeps every second; 60 s is a hang guard, not a timing assertion.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        (string Status, bool Queued) row;
        do
        {
            await Task.Delay(200);
            await using var read = db.CreateCommand("select status, queued_at is not null from dx.webhook_deliveries where id = $1");
            read.Parameters.Add(new NpgsqlParameter<long> { TypedValue = id });
            await using var r = await read.ExecuteReaderAsync();
            await r.ReadAsync();
            row = (r.GetString(0), r.GetBoolean(1));
        } while (row.Status == "pending" && DateTime.UtcNow < deadline);

        Assert.Multiple(() =>
        {
            Assert.That(row, Is.EqualTo(("delivered", true)));
            Assert.That(receiver.Requests.Select(q => (q.DeliveryId, q.Body)), Is.EqualTo(new[] { (id.ToString(System.Globalization.CultureInfo.InvariantCulture), """{"stuck":true}""") }), "sent once");
        });
    }
}
