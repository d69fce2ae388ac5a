using Npgsql;
using NpgsqlTypes;

namespace DataExchange.Core.Audit;

/// <summary>The statements of <see cref="AuditWriter"/>: the head's lock, and the group commit's, each one for the whole group.</summary>
static class AuditGroupStatements
{
    /// <summary>Locks and reads the head: its position and hash.</summary>
    public const string LockHeadSql = "select seq, hash from dx.audit_head where id = 1 for update";

    /// <summary>Locks and reads the head inside the transaction open on <paramref name="connection"/>.</summary>
    public static async Task<(long Seq, byte[] Hash)> LockHeadAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand(LockHeadSql, connection);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (reader.GetInt64(0), reader.GetFieldValue<byte[]>(1));
    }

    // One statement for the whole group: the entries from parallel arrays, then the new head.
    const string InsertSql = """
        with entries as (
            insert into dx.audit_log (seq, at, actor_agency, actor_client, action, target, dataset_id, outcome, details, prev_hash, hash)
            select * from unnest($1::bigint[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::jsonb[], $10::bytea[], $11::bytea[]))
        update dx.audit_head set seq = $12, hash = $13 where id = 1
        """;

    // The group's quota'd usage rows (subscription, day), made if missing and locked, in the order given (key order), with what they hold.
    const string LockUsageSql = """
        insert into dx.pull_usage as u (subscription_id, day, rows) select s, d, 0 from unnest($1::text[], $2::date[]) as k(s, d)
        on conflict (subscription_id, day) do update set rows = u.rows
        returning subscription_id, day, rows
        """;

    // The group's charges taken, one total per (subscription, day).
    const string ChargeUsageSql = """
        insert into dx.pull_usage as u (subscription_id, day, rows) select * from unnest($1::text[], $2::date[], $3::bigint[])
        on conflict (subscription_id, day) do update set rows = u.rows + excluded.rows
        """;

    // The usual group in one statement (migration 0026): charges, then the head moved from where the group chained on
    // (else 40001, and nothing of it commits), then the entries. The head's update reads the charges first, so the usage
    // rows are locked before the head, as everywhere.
    const string AppendSql = """
        with charged as (
            insert into dx.pull_usage as u (subscription_id, day, rows) select * from unnest($14::text[], $15::date[], $16::bigint[])
            on conflict (subscription_id, day) do update set rows = u.rows + excluded.rows
            returning 1),
        moved as (
            update dx.audit_head h set seq = $12, hash = $13
            where h.id = 1 and (select count(*) from charged) >= 0 and dx.audit_head_at(h.seq, h.hash, $17, $18)
            returning 1),
        entries as (
            insert into dx.audit_log (seq, at, actor_agency, actor_client, action, target, dataset_id, outcome, details, prev_hash, hash)
            select * from unnest($1::bigint[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::jsonb[], $10::bytea[], $11::bytea[])
            where exists (select from moved))
        select count(*) from moved
        """;

    /// <summary>
    /// The whole of a group whose head is assumed and whose charges need no sharing out, in one statement: the
    /// charges <paramref name="taken"/>, the head moved from <paramref name="expected"/> to <paramref name="head"/>,
    /// <paramref name="headHash"/> (failing with 40001 unless it is still there), the entries.
    /// </summary>
    public static NpgsqlBatchCommand Append(List<(AuditRecord Record, AuditWriter.Entry Entry, byte[] PrevHash)> entries, long head, byte[] headHash,
        Dictionary<(string, DateOnly), long> taken, (long Seq, byte[] Hash) expected)
    {
        var cmd = Insert(entries, head, headHash);
        cmd.CommandText = AppendSql;
        cmd.Parameters.Add(new NpgsqlParameter { Value = taken.Keys.Select(k => k.Item1).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter { Value = taken.Keys.Select(k => k.Item2).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Date });
        cmd.Parameters.Add(new NpgsqlParameter { Value = taken.Values.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint });
        cmd.Parameters.Add(new NpgsqlParameter { Value = expected.Seq });
        cmd.Parameters.Add(new NpgsqlParameter { Value = expected.Hash });
        return cmd;
    }

    /// <summary>Locks the head and fails the transaction (40001) unless it is at <paramref name="seq"/>, <paramref name="hash"/> (migration 0025).</summary>
    public static NpgsqlBatchCommand ExpectHead(long seq, byte[] hash) =>
        new("select dx.audit_head_expected($1, $2)") { Parameters = { new() { Value = seq }, new() { Value = hash } } };

    /// <summary>Makes (if missing), locks and reads the quota'd usage rows <paramref name="keys"/>, in key order.</summary>
    public static NpgsqlBatchCommand LockUsage(IReadOnlyList<(string SubscriptionId, DateOnly Day)> keys) => new(LockUsageSql)
    {
        Parameters =
        {
            new() { Value = keys.Select(k => k.SubscriptionId).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text },
            new() { Value = keys.Select(k => k.Day).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Date },
        },
    };

    /// <summary>Takes the charges <paramref name="taken"/>, one total per subscription and day.</summary>
    public static NpgsqlBatchCommand Charge(Dictionary<(string, DateOnly), long> taken) => new(ChargeUsageSql)
    {
        Parameters =
        {
            new() { Value = taken.Keys.Select(k => k.Item1).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text },
            new() { Value = taken.Keys.Select(k => k.Item2).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Date },
            new() { Value = taken.Values.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint },
        },
    };

    /// <summary>Appends the group's entries and moves the head to <paramref name="head"/>, <paramref name="headHash"/>.</summary>
    public static NpgsqlBatchCommand Insert(List<(AuditRecord Record, AuditWriter.Entry Entry, byte[] PrevHash)> entries, long head, byte[] headHash)
    {
        var cmd = new NpgsqlBatchCommand(InsertSql);
        void Add<T>(Func<(AuditRecord Record, AuditWriter.Entry Entry, byte[] PrevHash), T> value, NpgsqlDbType type) =>
            cmd.Parameters.Add(new NpgsqlParameter { Value = entries.Select(value).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | type });
        Add(e => e.Entry.Seq, NpgsqlDbType.Bigint);
        Add(e => e.Entry.At.UtcDateTime, NpgsqlDbType.TimestampTz);
        Add(e => e.Record.Actor?.AgencyId, NpgsqlDbType.Text);
        Add(e => e.Record.Actor?.ClientId, NpgsqlDbType.Text);
        Add(e => e.Entry.Action, NpgsqlDbType.Text);
        Add(e => e.Record.Target, NpgsqlDbType.Text);
        Add(e => e.Record.DatasetId, NpgsqlDbType.Text);
        Add(e => e.Entry.Outcome, NpgsqlDbType.Text);
        Add(e => e.Entry.Details, NpgsqlDbType.Jsonb);
        Add(e => e.PrevHash, NpgsqlDbType.Bytea);
        Add(e => e.Entry.Hash, NpgsqlDbType.Bytea);
        cmd.Parameters.Add(new NpgsqlParameter { Value = head });
        cmd.Parameters.Add(new NpgsqlParameter { Value = headHash });
        return cmd;
    }

    /// <summary>Ends the transaction open (or failed) on <paramref name="conn"/>; false when the connection is broken.</summary>
    public static async Task<bool> RollbackAsync(NpgsqlConnection conn)
    {
        if (conn.State != System.Data.ConnectionState.Open) return false;
        try
        {
            await using var rollback = new NpgsqlCommand("rollback", conn);
            await rollback.ExecuteNonQueryAsync();
            return true;
        }
        catch (Exception)
        {
            return false;
        }
    }
}
