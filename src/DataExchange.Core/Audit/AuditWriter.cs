using System.Text.Json.Nodes;
using DataExchange.Core.Common;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace DataExchange.Core.Audit;

/// <summary>
/// The one writer of the audit log. The next position is taken by locking the single row of
/// dx.audit_head, which serialises writers into one chain. Two ways in:
/// <list type="bullet">
/// <item>inside the caller's transaction (<see cref="AppendAsync(NpgsqlConnection, AuditRecord, CancellationToken)"/>),
/// so an effect and its entry commit together; the lock is held until the caller commits, so callers
/// append last, just before commit;</item>
/// <item>grouped (issue 16): entries of concurrent requests are appended in one transaction under one lock of
/// the head (a group commit), one group at a time per process, committed by the first caller of the group
/// (leader and followers, no writer thread), each caller's task completing only once its entry is committed —
/// the answer it guards leaves after. A member may bring an effect of its own
/// (charging a quota, giving rows back) that runs in the group's transaction and chooses the entry.</item>
/// </list>
/// </summary>
public sealed partial class AuditWriter(NpgsqlDataSource dataSource, TimeProvider time, IOptions<AuditOptions> options, AuditMetrics metrics) : IAsyncDisposable, IDisposable
{
    const string InsertSql = """
        with entry as (
            insert into dx.audit_log (seq, at, actor_agency, actor_client, action, target, dataset_id, outcome, details, prev_hash, hash)
            values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11))
        update dx.audit_head set seq = $1, hash = $11 where id = 1
        """;

    /// <summary>Appends within the transaction open on <paramref name="connection"/>; returns the position.</summary>
    /// <remarks>Returns 0 without writing for a pull when <see cref="AuditOptions.RecordPulls"/> is off (the pull benchmark's baseline).</remarks>
    public async Task<long> AppendAsync(NpgsqlConnection connection, AuditRecord record, CancellationToken cancellationToken = default)
    {
        if (!Records(record)) return 0;
        var (prevSeq, prevHash) = await AuditGroupStatements.LockHeadAsync(connection, cancellationToken);
        var entry = Entry.Of(record, prevSeq + 1, prevHash, Now());
        await using var insert = new NpgsqlCommand(InsertSql, connection);
        insert.Parameters.Add(new NpgsqlParameter { Value = entry.Seq });
        insert.Parameters.Add(new NpgsqlParameter { Value = entry.At });
        insert.Parameters.Add(new NpgsqlParameter { Value = (object?)record.Actor?.AgencyId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        insert.Parameters.Add(new NpgsqlParameter { Value = (object?)record.Actor?.ClientId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        insert.Parameters.Add(new NpgsqlParameter { Value = entry.Action });
        insert.Parameters.Add(new NpgsqlParameter { Value = (object?)record.Target ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        insert.Parameters.Add(new NpgsqlParameter { Value = (object?)record.DatasetId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        insert.Parameters.Add(new NpgsqlParameter { Value = entry.Outcome });
        insert.Parameters.Add(new NpgsqlParameter { Value = entry.Details, NpgsqlDbType = NpgsqlDbType.Jsonb });
        insert.Parameters.Add(new NpgsqlParameter { Value = prevHash });
        insert.Parameters.Add(new NpgsqlParameter { Value = entry.Hash });
        await insert.ExecuteNonQueryAsync(cancellationToken);
        metrics.Appended(entry.Action, entry.Outcome);
        return entry.Seq;
    }

    /// <summary>
    /// Appends in a group commit (for decisions and reads that change nothing else); completes with the
    /// position once the entry is committed.
    /// </summary>
    public Task<long> AppendAsync(AuditRecord record, CancellationToken cancellationToken = default) =>
        Records(record) ? Enqueue(new Member(record)) : Task.FromResult(0L);

    /// <summary>
    /// Charges <paramref name="charge"/> and appends the entry <paramref name="entry"/> chooses, in a group
    /// commit: the charge is taken when it fits under its quota beside what is used and what the group's
    /// earlier members took (<paramref name="entry"/> is given null), else nothing is charged and
    /// <paramref name="entry"/> is given the rows already used. Charges are decided together, in the
    /// group's own two round trips, so they cost no round trip per member.
    /// </summary>
    public Task<long> AppendAsync(RowCharge charge, Func<long?, AuditRecord> entry, CancellationToken cancellationToken = default) =>
        Enqueue(new Member(charge, entry));

    /// <summary>
    /// Appends the entry <paramref name="effect"/> returns, in a group commit: the effect runs on the
    /// group's connection inside its transaction (before the head is locked), so what it changes commits
    /// with the entry or not at all. It may run twice — a failed group is retried member by member — so it
    /// must leave nothing behind but its database changes and the values it returns.
    /// </summary>
    /// <remarks>The caller's token does not withdraw a queued entry: a request that goes away was still decided.</remarks>
    public Task<long> AppendAsync(Func<NpgsqlConnection, CancellationToken, ValueTask<AuditRecord>> effect, CancellationToken cancellationToken = default) =>
        Enqueue(new Member(effect));

    bool Records(AuditRecord record) => options.Value.RecordPulls || !IsPull(record.Action);

    static bool IsPull(AuditAction action) =>
        action is AuditAction.RecordsPulled or AuditAction.ChangesPulled or AuditAction.PullStarted or AuditAction.PullInterrupted;

    // Truncated to the microsecond: what timestamptz stores, so verification re-hashes the same bytes.
    DateTimeOffset Now()
    {
        var now = time.GetUtcNow();
        return new DateTimeOffset(now.Ticks - now.Ticks % 10, TimeSpan.Zero);
    }

    /// <summary>Lets the queued entries commit (refusing new ones), then closes the writer's connection.</summary>
    public async ValueTask DisposeAsync()
    {
        await _turns.DrainAsync();
        if (_connection is not null) await _connection.DisposeAsync();
    }

    /// <inheritdoc />
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>An entry ready to insert: its position, time, names, details text and chained hash.</summary>
    internal sealed record Entry(long Seq, DateTimeOffset At, string Action, string Outcome, string Details, byte[] Hash)
    {
        public static Entry Of(AuditRecord record, long seq, byte[] prevHash, DateTimeOffset at)
        {
            var action = AuditNames.Of(record.Action);
            var outcome = AuditNames.Of(record.Outcome);
            var details = record.Details ?? new JsonObject();
            // The details' canonical text serves twice: inside the hashed bytes, and as the jsonb sent (the same values as
            // any other writing of the node, which jsonb stores alike).
            var canonicalDetails = CanonicalJson.ToText(details);
            var canonical = AuditEntry.CanonicalText(seq, at, record.Actor?.AgencyId, record.Actor?.ClientId, action, record.Target, record.DatasetId, outcome,
                details, canonicalDetails);
            return new Entry(seq, at, action, outcome, canonicalDetails, AuditEntry.ComputeHash(prevHash, canonical));
        }
    }
}

/// <summary>Rows charged to a subscription's day (dx.pull_usage), under its daily quota when it has one.</summary>
public sealed record RowCharge(string SubscriptionId, DateOnly Day, long Rows, long? Quota);
