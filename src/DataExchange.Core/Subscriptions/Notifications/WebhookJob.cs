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
/// HMAC-SHA256 under the webhook's secret of <c>"&lt;timestamp&gt;.&lt;body&gt;"</c>. A non-2xx answer or a
/// network error fails the job, and Hangfire retries it with growing delays (8 attempts over ~7 h).
/// </summary>
public sealed class WebhookJob(NpgsqlDataSource dataSource, WebhookSender sender, IOptions<FeedOptions> feedOptions, TimeProvider time)
{
    const string LoadSql = """
        select d.body, w.url, w.secret, s.status, s.expires_at from dx.webhook_deliveries d
        join dx.webhooks w on w.subscription_id = d.subscription_id
        join dx.subscriptions s on s.id = d.subscription_id
        where d.id = $1 and d.status = 'pending'
        """;

    const string AttemptSql = "update dx.webhook_deliveries set attempts = attempts + 1, last_status = $2, last_error = $3, status = $4, delivered_at = $5 where id = $1";

    /// <summary>Sends delivery <paramref name="deliveryId"/>; throws on failure so Hangfire retries.</summary>
    [AutomaticRetry(Attempts = 8, DelaysInSeconds = [10, 30, 120, 600, 1800, 3600, 7200, 14400], OnAttemptsExceeded = AttemptsExceededAction.Fail)]
    public async Task DeliverAsync(long deliveryId, CancellationToken cancellationToken)
    {
        string body, url, secret;
        await using (var cmd = Db.Command(dataSource, LoadSql, deliveryId))
        await using (var r = await cmd.ExecuteReaderAsync(cancellationToken))
        {
            if (!await r.ReadAsync(cancellationToken)) return;
            (body, url, secret) = (r.GetString(0), r.GetString(1), r.GetString(2));
            var expires = r.GetNullable<DateTimeOffset>(4);
            if (r.GetString(3) != SubscriptionStatus.Approved || expires <= time.GetUtcNow())
            {
                await r.DisposeAsync();
                await RecordAsync(deliveryId, null, "The subscription is no longer active.", "cancelled", null, cancellationToken);
                return;
            }
        }
        // Re-checked at send time: the allow-list may have shrunk since registration.
        if (!FeedSources.IsAllowedHost(feedOptions.Value, new Uri(url)))
        {
            await RecordAsync(deliveryId, null, "The host is no longer on the allow-list.", "failed", null, cancellationToken);
            return;
        }
        var timestamp = time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var signature = "v1=" + Sign(secret, timestamp, body);
        var (status, error) = await sender.PostAsync(url, body, timestamp, signature, deliveryId, cancellationToken);
        var ok = status is >= 200 and < 300;
        await RecordAsync(deliveryId, status, error, ok ? "delivered" : "pending", ok ? time.GetUtcNow() : null, cancellationToken);
        if (!ok) throw new WebhookDeliveryException($"Delivery {deliveryId} to {url} failed: {(object?)status ?? error}.");
    }

    /// <summary>The v1 signature: hex HMAC-SHA256 of <c>timestamp + "." + body</c>.</summary>
    public static string Sign(string secret, string timestamp, string body) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(timestamp + "." + body)));

    async Task RecordAsync(long id, int? status, string? error, string state, DateTimeOffset? deliveredAt, CancellationToken cancellationToken)
    {
        await using var cmd = Db.Command(dataSource, AttemptSql, id, status, error, state, deliveredAt);
        cmd.Parameters[1].NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Integer;
        cmd.Parameters[2].NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text;
        cmd.Parameters[4].NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz;
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }
}

/// <summary>A delivery attempt failed (Hangfire retries it).</summary>
public sealed class WebhookDeliveryException(string message) : Exception(message);
