using System.Text.Json.Nodes;
using DataExchange.Core.Audit;
using DataExchange.Core.Common;
using DataExchange.Core.Subscriptions;
using Npgsql;

namespace DataExchange.Core.Pull;

/// <summary>
/// Charges pulls' rows to their subscription's usage of the day (issue 13, item 4): a read is refused (429, audited)
/// when today's quota is used up, rows are reserved before they are read, and what was not served is given back.
/// </summary>
public sealed class PullQuota(ReadDataSource reads, AuditWriter audit, TimeProvider time)
{
    /// <summary>Answers 429 (audited) before anything else when today's quota is already used up.</summary>
    internal async Task EnsureLeftAsync(Caller caller, AccessDecision decision, string datasetId, CancellationToken cancellationToken)
    {
        if (decision.Policy!.DailyRowQuota is not { } quota || decision.SubscriptionId is not { } sub) return;
        var now = time.GetUtcNow();
        await using var cmd = Db.Command(reads.Source, "select rows from dx.pull_usage where subscription_id = $1 and day = $2", sub, DateOnly.FromDateTime(now.UtcDateTime));
        var used = await cmd.ExecuteScalarAsync(cancellationToken) is long u ? u : 0;
        if (used < quota) return;
        throw await ExceededAsync(caller, datasetId, sub, quota, used, cancellationToken);
    }

    /// <summary>Audits a refusal for the used-up quota and returns the 429 to throw.</summary>
    async Task<LimitExceededException> ExceededAsync(Caller caller, string datasetId, string sub, long quota, long used, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var retry = now.UtcDateTime.Date.AddDays(1) - now.UtcDateTime;
        await audit.AppendAsync(new AuditRecord(caller, AuditAction.AccessDenied, AuditOutcome.Denied, datasetId, datasetId,
            new JsonObject { ["reason"] = "quota-exceeded", ["subscription"] = sub, ["quota"] = quota, ["used"] = used }), cancellationToken);
        return new LimitExceededException("quota-exceeded", $"Subscription {sub} has used its {quota} rows for today (UTC); the quota resets at midnight UTC.", retry);
    }

    /// <summary>The budget of a pull by a subscriber (with or without a quota); null for the owner, whose reads are not counted.</summary>
    /// <remarks>A <paramref name="page"/>'s rows without a quota are counted when it is audited; a stream's are reserved chunk by chunk before they are sent.</remarks>
    internal RowBudget? BudgetOf(PullContext context, bool page = false) =>
        context.Decision.SubscriptionId is { } sub
            ? new RowBudget(sub, context.Policy.DailyRowQuota, DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime), page)
            : null;

    /// <summary>
    /// Reserves up to <paramref name="want"/> more rows on <paramref name="conn"/> and returns how many
    /// were granted (all of them without a quota). Rows are charged before they are read, so a pull
    /// that dies half-way has charged at least what it sent (issue 13, item 6). Four overlapping pulls
    /// with a 100,000-row quota were served 400,000 rows when each read the usage and charged
    /// afterwards; under a quota the usage row is locked, so concurrent pulls queue on it and never
    /// hand out more than the quota. A pull's first reservation that gets nothing answers 429.
    /// </summary>
    internal async Task<long> ReserveAsync(NpgsqlConnection conn, Caller caller, PullContext context, RowBudget? budget, long want, CancellationToken cancellationToken)
    {
        if (budget is null || want == 0 || budget.CountedWhenAudited) return want;
        if (budget.Quota is null)
        {
            // Nothing to share out: one statement counts the rows.
            await using (var count = Db.Command(conn, CountSql, budget.SubscriptionId, budget.Day, want)) await count.ExecuteNonQueryAsync(cancellationToken);
            budget.Reserved += want;
            return want;
        }
        const string ensureSql = "insert into dx.pull_usage (subscription_id, day, rows) values ($1, $2, 0) on conflict (subscription_id, day) do nothing";
        const string lockSql = "select rows from dx.pull_usage where subscription_id = $1 and day = $2 for update";
        const string chargeSql = "update dx.pull_usage set rows = rows + $3 where subscription_id = $1 and day = $2";
        long used, granted;
        await using (var tx = await conn.BeginTransactionAsync(cancellationToken))
        {
            await using (var ensure = Db.Command(conn, ensureSql, budget.SubscriptionId, budget.Day)) await ensure.ExecuteNonQueryAsync(cancellationToken);
            await using (var lockRow = Db.Command(conn, lockSql, budget.SubscriptionId, budget.Day))
                used = (long)(await lockRow.ExecuteScalarAsync(cancellationToken))!;
            granted = Math.Clamp(budget.Quota.Value - used, 0, want);
            if (granted > 0)
                await using (var charge = Db.Command(conn, chargeSql, budget.SubscriptionId, budget.Day, granted)) await charge.ExecuteNonQueryAsync(cancellationToken);
            await tx.CommitAsync(cancellationToken);
        }
        budget.Reserved += granted;
        if (budget.Reserved == 0) throw await ExceededAsync(caller, context.DatasetId, budget.SubscriptionId, budget.Quota!.Value, used, cancellationToken);
        return granted;
    }

    const string CountSql = """
        insert into dx.pull_usage (subscription_id, day, rows) values ($1, $2, $3)
        on conflict (subscription_id, day) do update set rows = dx.pull_usage.rows + excluded.rows
        """;

    /// <summary>Gives back the rows reserved but not served, on the audit's connection and transaction.</summary>
    internal static async Task GiveBackAsync(NpgsqlConnection conn, RowBudget budget, long served)
    {
        if (budget.Reserved <= served) return;
        const string sql = "update dx.pull_usage set rows = greatest(rows - $3, 0) where subscription_id = $1 and day = $2";
        await using var cmd = Db.Command(conn, sql, budget.SubscriptionId, budget.Day, budget.Reserved - served);
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>Gives back a reservation whose pull failed before it was audited.</summary>
    internal async Task ReleaseAsync(RowBudget? budget)
    {
        if (budget is null) return;
        if (budget.Reserved == 0) return;
        await using var conn = await reads.Source.OpenConnectionAsync();
        await GiveBackAsync(conn, budget, 0);
    }
}
