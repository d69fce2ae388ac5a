using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using DataExchange.Core.Common;
using DataExchange.Core.Feeds;
using Hangfire;
using Microsoft.Extensions.Options;
using Npgsql;

namespace DataExchange.Core.Subscriptions.Notifications;

/// <summary>
/// Delivers one notification: POST of the JSON body with <c>X-DataExchange-Timestamp</c> (Unix
/// seconds), <c>X-DataExchange-Delivery</c> (id) and <c>X-DataExchange-Signature: v1=&lt;hex&gt;</c>, the
/// HMAC-SHA256 under the webhook's secret of <c>"&lt;timestamp&gt;.&lt;body&gt;"</c>. Every attempt is
/// recorded; after a non-2xx answer or a network error the job schedules the next attempt in Hangfire
/// with the backoff of <see cref="WebhookOptions"/> (8 retries over ~7 h by default), then gives up.
/// </summary>
public sealed class WebhookJob(NpgsqlDataSource dataSource, WebhookSender sender, IBackgroundJobClient jobs, IOptions<WebhookOptions> options,
    FeedHostList feedHosts, WebhookSecrets secrets, TimeProvider time, WebhookMetrics metrics)
{
    const string LoadSql = """
        select d.body, w.url, w.secret, s.status, s.expires_at, d.attempts, w.secret_sealed, w.subscription_id from dx.webhook_deliveries d
        join dx.webhooks w on w.subscription_id = d.subscription_id
        join dx.subscriptions s on s.id = d.subscription_id
        where d.id = $1 and d.status = 'pending'
        """;

    // One statement (the attempt row and the delivery's state), so the log and the state never disagree.
    const string AttemptSql = """
        with logged as (insert into dx.webhook_attempts (delivery_id, attempt, at, status, error) values ($1, $6, $7, $2, $3))
        update dx.webhook_deliveries set attempts = $6, last_status = $2, last_error = $3, status = $4, delivered_at = $5 where id = $1
        """;

    /// <summary>
    /// Sends delivery <paramref name="deliveryId"/>. Failures of the endpoint are retried by scheduling
    /// this job again; Hangfire's own retries only cover failures of the exchange (e.g. the database).
    /// </summary>
    [AutomaticRetry(Attempts = 3, DelaysInSeconds = [10, 60, 300], OnAttemptsExceeded = AttemptsExceededAction.Fail)]
    public async Task DeliverAsync(long deliveryId, CancellationToken cancellationToken)
    {
        string body, url, subscriptionId;
        string? secret;
        byte[]? sealedSecret;
        int attempt;
        await using (var cmd = Db.Command(dataSource, LoadSql, deliveryId))
        await using (var r = await cmd.ExecuteReaderAsync(cancellationToken))
        {
            if (!await r.ReadAsync(cancellationToken)) return;
            (body, url, secret, attempt) = (r.GetString(0), r.GetString(1), r.Get<string>(2), r.GetInt32(5) + 1);
            (sealedSecret, subscriptionId) = (r.IsDBNull(6) ? null : r.GetFieldValue<byte[]>(6), r.GetString(7));
            var expires = r.GetNullable<DateTimeOffset>(4);
            if (r.GetString(3) != SubscriptionStatus.Approved || expires <= time.GetUtcNow())
            {
                await r.DisposeAsync();
                await RecordAsync(deliveryId, attempt, null, "The subscription is no longer active.", DeliveryStatus.Cancelled, null, cancellationToken);
                return;
            }
        }
        // Re-checked at send time: the allow-list may have shrunk since registration.
        if (!feedHosts.Allows(new Uri(url)))
        {
            await RecordAsync(deliveryId, attempt, null, "The host is no longer on the allow-list.", DeliveryStatus.Failed, null, cancellationToken);
            return;
        }
        // Sealed since migration 0031; a row still in clear (not yet sealed by the dispatcher's start) signs with its clear value.
        // A clear value is always the newest: this code seals and clears it in one statement, so only a node still running the
        // code before 0031 writes one (re-registering a sealed webhook leaves the old sealed secret beside the new clear one).
        if (secret is null && sealedSecret is not null) secret = await secrets.OpenAsync(subscriptionId, url, sealedSecret, cancellationToken);
        if (secret is null)
        {
            await RecordAsync(deliveryId, attempt, null,
                "The webhook's secret cannot be opened: the server secret (Pull:HashKey) changed since it was registered, or the row was altered. Register the webhook again.",
                DeliveryStatus.Failed, null, cancellationToken);
            return;
        }
        var timestamp = time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var signature = "v1=" + Sign(secret, timestamp, body);
        var posting = System.Diagnostics.Stopwatch.GetTimestamp();
        var (status, error) = await sender.PostAsync(url, body, timestamp, signature, deliveryId, cancellationToken);
        metrics.Posted(System.Diagnostics.Stopwatch.GetElapsedTime(posting));
        var ok = status is >= 200 and < 300;
        var retry = !ok && attempt < options.Value.MaxAttempts;
        await RecordAsync(deliveryId, attempt, status, error, ok ? DeliveryStatus.Delivered : retry ? DeliveryStatus.Pending : DeliveryStatus.Failed, ok ? time.GetUtcNow() : null, cancellationToken);
        if (retry) jobs.Schedule<WebhookJob>(j => j.DeliverAsync(deliveryId, CancellationToken.None), options.Value.DelayAfter(attempt));
    }

    /// <summary>The v1 signature: hex HMAC-SHA256 of <c>timestamp + "." + body</c>.</summary>
    public static string Sign(string secret, string timestamp, string body) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(timestamp + "." + body)));

    async Task RecordAsync(long id, int attempt, int? status, string? error, string state, DateTimeOffset? deliveredAt, CancellationToken cancellationToken)
    {
        metrics.Attempted(state);
        await using var cmd = Db.Command(dataSource, AttemptSql, id, Db.Typed(status), Db.Typed(error), state, Db.Typed(deliveredAt), attempt, time.GetUtcNow());
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }
}
