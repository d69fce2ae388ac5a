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
/// </summary>
public sealed partial class OutboxDispatcher(NpgsqlDataSource dataSource, IBackgroundJobClient jobs, TimeProvider time, ILogger<OutboxDispatcher> logger) : BackgroundService
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

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await DispatchAsync(stoppingToken);
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
            {
                // The database may be starting or migrating; the next tick retries.
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
        // commit and enqueue leaves those deliveries pending; they are listed to the subscriber as such.
        foreach (var id in deliveries) jobs.Enqueue<WebhookJob>(j => j.DeliverAsync(id, CancellationToken.None));
        return deliveries.Count;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox dispatch failed; retrying")]
    static partial void LogDispatchFailed(ILogger logger, Exception exception);
}
