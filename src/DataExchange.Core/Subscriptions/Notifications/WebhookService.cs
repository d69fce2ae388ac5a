using System.Security.Cryptography;
using System.Text.Json.Nodes;
using DataExchange.Core.Audit;
using DataExchange.Core.Common;
using DataExchange.Core.Feeds;
using Npgsql;

namespace DataExchange.Core.Subscriptions.Notifications;

/// <summary>A registered webhook; the secret appears only in the answer to its registration.</summary>
public sealed record Webhook(string SubscriptionId, string Url, string? Secret, DateTimeOffset CreatedAt);

/// <summary>Body of PUT /subscriptions/{id}/webhook.</summary>
public sealed record WebhookRequest(string? Url);

/// <summary>States of a webhook delivery.</summary>
public static class DeliveryStatus
{
    public const string Pending = "pending";
    public const string Delivered = "delivered";
    public const string Failed = "failed";
    /// <summary>The subscription stopped being active before the delivery succeeded.</summary>
    public const string Cancelled = "cancelled";

    /// <summary>Every state.</summary>
    public static IReadOnlyList<string> All { get; } = [Pending, Delivered, Failed, Cancelled];
}

/// <summary>One notification to one subscriber: its state (pending | delivered | failed | cancelled) and every attempt, oldest first.</summary>
public sealed record WebhookDelivery(long Id, string DatasetId, int Version, string Status, int Attempts, int? LastStatus, string? LastError, DateTimeOffset CreatedAt,
    DateTimeOffset? DeliveredAt, IReadOnlyList<WebhookAttempt> History);

/// <summary>One attempt of a delivery: the HTTP status answered, or the error when none came.</summary>
public sealed record WebhookAttempt(int Attempt, DateTimeOffset At, int? Status, string? Error);

/// <summary>Subscribers' webhooks: registration on allow-listed hosts only, and their deliveries.</summary>
public sealed class WebhookService(NpgsqlDataSource dataSource, SubscriptionService subscriptions, AuditWriter audit, FeedHostList feedHosts, WebhookSecrets secrets,
    TimeProvider time)
{
    /// <summary>Registers (or replaces) the webhook of the caller's subscription; returns a new signing secret once.</summary>
    public async Task<Webhook> RegisterAsync(Caller caller, string subscriptionId, WebhookRequest request, CancellationToken cancellationToken = default)
    {
        var sub = await OwnSubscriptionAsync(caller, subscriptionId, cancellationToken);
        if (!Uri.TryCreate(request.Url, UriKind.Absolute, out var uri) || !feedHosts.Allows(uri))
            throw new InvalidException("invalid-webhook", "The webhook URL must be http(s) on a host of the exchange's allow-list (Feeds:AllowedHosts).",
                [new("/url", "host-not-allowed", "Ask the operator to allow-list the host.")]);
        var secret = "whsec_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var sealedSecret = await secrets.SealAsync(sub.Id, uri.ToString(), secret, cancellationToken);
        var now = time.GetUtcNow();
        // Only sealed: the answer below is the one place the secret is ever in clear.
        const string sql = """
            insert into dx.webhooks (subscription_id, url, secret, secret_sealed, created_at) values ($1, $2, null, $3, $4)
            on conflict (subscription_id) do update set url = excluded.url, secret = null, secret_sealed = excluded.secret_sealed, created_at = excluded.created_at
            """;
        await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken);
        await using (var cmd = Db.Command(conn, sql, sub.Id, uri.ToString(), sealedSecret, now)) await cmd.ExecuteNonQueryAsync(cancellationToken);
        await audit.AppendAsync(conn, new AuditRecord(caller, AuditAction.WebhookRegistered, AuditOutcome.Succeeded, sub.Id, sub.DatasetId,
            new JsonObject { ["url"] = uri.ToString() }), cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return new Webhook(sub.Id, uri.ToString(), secret, now);
    }

    /// <summary>The subscription's deliveries, newest first.</summary>
    public async Task<Page<WebhookDelivery>> ListDeliveriesAsync(Caller caller, string subscriptionId, int? limit, string? after, CancellationToken cancellationToken = default)
    {
        var sub = await OwnSubscriptionAsync(caller, subscriptionId, cancellationToken);
        var take = Paging.Limit(limit);
        var before = Paging.Decode(after) is { } a && long.TryParse(a, out var n) ? n : long.MaxValue;
        const string sql = """
            select d.id, d.dataset_id, d.version, d.status, d.attempts, d.last_status, d.last_error, d.created_at, d.delivered_at,
                   coalesce((select json_agg(json_build_object('attempt', a.attempt, 'at', a.at, 'status', a.status, 'error', a.error) order by a.attempt)
                             from dx.webhook_attempts a where a.delivery_id = d.id), '[]')::text
            from dx.webhook_deliveries d where d.subscription_id = $1 and d.id < $2 order by d.id desc limit $3
            """;
        await using var cmd = Db.Command(dataSource, sql, sub.Id, before, take + 1);
        var list = new List<WebhookDelivery>();
        await using (var r = await cmd.ExecuteReaderAsync(cancellationToken))
            while (await r.ReadAsync(cancellationToken))
                list.Add(new(r.GetInt64(0), r.GetString(1), r.GetInt32(2), r.GetString(3), r.GetInt32(4), r.GetNullable<int>(5), r.Get<string>(6),
                    r.GetFieldValue<DateTimeOffset>(7), r.GetNullable<DateTimeOffset>(8),
                    System.Text.Json.JsonSerializer.Deserialize<List<WebhookAttempt>>(r.GetString(9), Json.Options)!));
        var next = list.Count > take ? Paging.Encode(list[take - 1].Id.ToString(System.Globalization.CultureInfo.InvariantCulture)) : null;
        return new Page<WebhookDelivery>([.. list.Take(take)], next);
    }

    async Task<Subscription> OwnSubscriptionAsync(Caller caller, string id, CancellationToken cancellationToken)
    {
        caller.Require(Role.Consumer);
        var sub = await subscriptions.GetAsync(caller, id, cancellationToken);
        if (sub.ConsumerAgency != caller.AgencyId) throw new ForbiddenException("not-subscriber", "Only the subscribing agency manages the subscription's webhook.");
        return sub;
    }
}
