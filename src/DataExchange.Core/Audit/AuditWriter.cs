using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace DataExchange.Core.Audit;

/// <summary>
/// The one writer of the audit log. It appends inside the caller's transaction, so an effect and
/// its audit entry commit together. The next position is taken by locking the single row of
/// dx.audit_head, which serialises writers into one chain; the lock is held only until the
/// caller commits, so callers append last, just before commit.
/// </summary>
public sealed class AuditWriter(NpgsqlDataSource dataSource, TimeProvider time, IOptions<AuditOptions> options)
{
    const string LockHeadSql = "select seq, hash from dx.audit_head where id = 1 for update";
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
        if (!options.Value.RecordPulls && IsPull(record.Action)) return 0;
        long prevSeq;
        byte[] prevHash;
        await using (var cmd = new NpgsqlCommand(LockHeadSql, connection))
        await using (var reader = await cmd.ExecuteReaderAsync(cancellationToken))
        {
            await reader.ReadAsync(cancellationToken);
            prevSeq = reader.GetInt64(0);
            prevHash = reader.GetFieldValue<byte[]>(1);
        }

        var seq = prevSeq + 1;
        // Truncated to the microsecond: what timestamptz stores, so verification re-hashes the same bytes.
        var now = time.GetUtcNow();
        var at = new DateTimeOffset(now.Ticks - now.Ticks % 10, TimeSpan.Zero);
        var action = AuditNames.Of(record.Action);
        var outcome = AuditNames.Of(record.Outcome);
        var details = record.Details ?? new JsonObject();
        var hash = AuditEntry.ComputeHash(prevHash, AuditEntry.CanonicalBytes(
            seq, at, record.Actor?.AgencyId, record.Actor?.ClientId, action, record.Target, record.DatasetId, outcome, details));

        await using var insert = new NpgsqlCommand(InsertSql, connection);
        insert.Parameters.Add(new NpgsqlParameter { Value = seq });
        insert.Parameters.Add(new NpgsqlParameter { Value = at });
        insert.Parameters.Add(new NpgsqlParameter { Value = (object?)record.Actor?.AgencyId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        insert.Parameters.Add(new NpgsqlParameter { Value = (object?)record.Actor?.ClientId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        insert.Parameters.Add(new NpgsqlParameter { Value = action });
        insert.Parameters.Add(new NpgsqlParameter { Value = (object?)record.Target ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        insert.Parameters.Add(new NpgsqlParameter { Value = (object?)record.DatasetId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        insert.Parameters.Add(new NpgsqlParameter { Value = outcome });
        insert.Parameters.Add(new NpgsqlParameter { Value = details.ToJsonString(), NpgsqlDbType = NpgsqlDbType.Jsonb });
        insert.Parameters.Add(new NpgsqlParameter { Value = prevHash });
        insert.Parameters.Add(new NpgsqlParameter { Value = hash });
        await insert.ExecuteNonQueryAsync(cancellationToken);
        return seq;
    }

    static bool IsPull(AuditAction action) =>
        action is AuditAction.RecordsPulled or AuditAction.ChangesPulled or AuditAction.PullStarted or AuditAction.PullInterrupted;

    /// <summary>Appends in a transaction of its own (for decisions and reads that change nothing else).</summary>
    public async Task<long> AppendAsync(AuditRecord record, CancellationToken cancellationToken = default)
    {
        if (!options.Value.RecordPulls && IsPull(record.Action)) return 0;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var seq = await AppendAsync(connection, record, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return seq;
    }
}
