using DataExchange.Core.Common;
using Hangfire;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace DataExchange.Core.Subscriptions.Notifications;

/// <summary>
/// Polls dx.outbox every second: for each new row, one delivery per approved, unexpired subscription
/// of that dataset with a webhook, then one Hangfire job per delivery (retries with backoff there).
/// Rows are claimed with SKIP LOCKED, so several processes can run this without double deliveries.
/// Each queued delivery is marked <c>queued_at</c>; pending deliveries left unmarked a minute after their
/// creation (the process stopped between the commit and the enqueue) are queued by the same loop.
/// </summary>
public sealed partial class OutboxDispatcher(NpgsqlDataSource dataSource, IBackgroundJobClient jobs, WebhookSecrets secrets, TimeProvider time, ILogger<OutboxDispatcher> logger)
    : BackgroundService
{
    const string ClaimSql = """
        update dx.outbox o set dispatched_at = $1
        where o.id in (select id from dx.outbox where dispatched_at is null order by id limit 100 for update skip locked)
        returning o.id
        """;

    const string FanOutSql = """
        insert into dx.webhook_deliveries (subscription_id, dataset_id, version, body, status, created_at)
        select s.id, o.dataset_id, o.version, o.payload::text, 'pending', $2
        from dx.outbox o
        join dx.subscriptions s on s.dataset_id = o.dataset_id and s.status = 'approved' and (s.expires_at is null or s.expires_at > $2)
        join dx.webhooks w on w.subscription_id = s.id
        where o.id = any($1)
        returning id
        """;

    const string QueuedSql = "update dx.webhook_deliveries set queued_at = $2 where id = any($1)";

    // Locked until queued_at is written, so two processes never queue the same stuck delivery.
    const string UnqueuedSql = """
        select id from dx.webhook_deliveries
        where status = 'pending' and queued_at is null and created_at < $1
        order by created_at limit 100 for update skip locked
        """;

    /// <summary>How long a pending delivery may stay unqueued before the sweep queues it: longer than any dispatch takes.</summary>
    public static readonly TimeSpan RequeueAfter = TimeSpan.FromMinutes(1);

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var secretsSealed = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // Once per start: webhook secrets kept in clear before migration 0031 are sealed.
                if (!secretsSealed)
                {
                    await secrets.SealStoredAsync(stoppingToken);
                    secretsSealed = true;
                }
                await DispatchAsync(stoppingToken);
                await RequeueStuckAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Whatever failed (the database starting or migrating, Hangfire's storage, a bug), the next tick
                // retries: deliveries committed but not queued are found by RequeueStuckAsync.
                LogDispatchFailed(logger, e);
            }
            // Wall-clock polling (not the injected clock): tests replace the clock but still need deliveries.
            try { await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken); } catch (OperationCanceledException) { return; }
        }
    }

    /// <summary>Dispatches what is pending; returns the number of deliveries queued.</summary>
    public async Task<int> DispatchAsync(CancellationToken cancellationToken)
    {
        var deliveries = new List<long>();
        await using (var conn = await dataSource.OpenConnectionAsync(cancellationToken))
        await using (var tx = await conn.BeginTransactionAsync(cancellationToken))
        {
            var claimed = new List<long>();
            await using (var cmd = Db.Command(conn, ClaimSql, time.GetUtcNow()))
            await using (var r = await cmd.ExecuteReaderAsync(cancellationToken))
                while (await r.ReadAsync(cancellationToken)) claimed.Add(r.GetInt64(0));
            if (claimed.Count == 0) return 0;
            await using (var cmd = Db.Command(conn, FanOutSql, claimed.ToArray(), time.GetUtcNow()))
            await using (var r = await cmd.ExecuteReaderAsync(cancellationToken))
                while (await r.ReadAsync(cancellationToken)) deliveries.Add(r.GetInt64(0));
            await tx.CommitAsync(cancellationToken);
        }
        // After commit, so a job never looks for a delivery row that is not visible yet. A crash between
        // commit and enqueue leaves those deliveries pending without queued_at: RequeueStuckAsync queues them.
        foreach (var id in deliveries) jobs.Enqueue<WebhookJob>(j => j.DeliverAsync(id, CancellationToken.None));
        if (deliveries.Count > 0)
        {
            await using var mark = Db.Command(dataSource, QueuedSql, deliveries.ToArray(), time.GetUtcNow());
            await mark.ExecuteNonQueryAsync(cancellationToken);
        }
        return deliveries.Count;
    }

    /// <summary>
    /// Queues pending deliveries that were never queued and are older than <see cref="RequeueAfter"/>;
    /// returns how many. The rows stay locked until marked, so a crash here only means a later sweep.
    /// </summary>
    public async Task<int> RequeueStuckAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken);
        var stuck = new List<long>();
        await using (var cmd = Db.Command(conn, UnqueuedSql, now - RequeueAfter))
        await using (var r = await cmd.ExecuteReaderAsync(cancellationToken))
            while (await r.ReadAsync(cancellationToken)) stuck.Add(r.GetInt64(0));
        if (stuck.Count == 0) return 0;
        foreach (var id in stuck) jobs.Enqueue<WebhookJob>(j => j.DeliverAsync(id, CancellationToken.None));
        await using (var mark = Db.Command(conn, QueuedSql, stuck.ToArray(), now))
            await mark.ExecuteNonQueryAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
        LogRequeued(logger, stuck.Count);
        return stuck.Count;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox dispatch failed; retrying")]
    static partial void LogDispatchFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queued {Count} webhook deliveries that were committed but never queued")]
    static partial void LogRequeued(ILogger logger, int count);
}
