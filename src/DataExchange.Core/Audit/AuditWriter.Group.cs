using System.Diagnostics;
using Npgsql;

namespace DataExchange.Core.Audit;

public sealed partial class AuditWriter
{
    readonly AuditGroupTurns _turns = new();

    /// <summary>How long the writer reads the head under its lock, rather than assume it, after another writer moved it.</summary>
    static readonly TimeSpan ContendedFor = TimeSpan.FromSeconds(1);

    // The leaders' own, one leader at a time (handed on with the lead): the connection (open between groups), the head as
    // it was last committed, and until when another writer is active.
    NpgsqlConnection? _connection;
    (long Seq, byte[] Hash)? _head;
    long _contendedUntil;

    /// <summary>
    /// One caller's part of a group: its effect (or, instead, a row charge and the entry chosen by how it
    /// went), and what it is told: its position (or failure) once its group committed, or a group to commit.
    /// </summary>
    internal sealed class Member
    {
        public Member(Func<NpgsqlConnection, CancellationToken, ValueTask<AuditRecord>> effect) => Effect = effect;

        public Member(RowCharge charge, Func<long?, AuditRecord> choose) => (Charge, Choose) = (charge, choose);

        public Member(AuditRecord record) => Record = record;

        /// <summary>An entry that needs nothing else done.</summary>
        public AuditRecord? Record { get; }

        /// <summary>An effect with round trips of its own (null for a charge).</summary>
        public Func<NpgsqlConnection, CancellationToken, ValueTask<AuditRecord>>? Effect { get; }

        /// <summary>Rows to charge, decided with the group's other charges in the group's statements.</summary>
        public RowCharge? Charge { get; }

        /// <summary>The entry of a charge: given null when it was taken, else the rows already used (nothing charged).</summary>
        public Func<long?, AuditRecord>? Choose { get; }

        /// <summary>The entry's position once committed (0 when the entry was not recorded), or why its group failed it.</summary>
        public long Position { get; set; }

        public Exception? Failure { get; set; }

        /// <summary>Completes with null once this member's group is committed (or failed), or with the group this member is to commit.</summary>
        public TaskCompletionSource<List<Member>?> Turn { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    Task<long> Enqueue(Member member) => _turns.Enqueue(member, _commitGroup ??= CommitGroupAsync);

    Func<List<Member>, Task>? _commitGroup;

    /// <summary>Commits a group; one that fails is retried member by member, so one member's failing effect fails only its own request.</summary>
    async Task CommitGroupAsync(List<Member> group)
    {
        try
        {
            await CommitAsync(group);
        }
        catch (Exception) when (group.Count > 1)
        {
            foreach (var member in group)
            {
                try { await CommitAsync([member]); }
                catch (Exception e) { member.Failure = e; }
            }
        }
        catch (Exception e)
        {
            group[0].Failure = e;
        }
    }

    /// <summary>
    /// Commits one group on the writer's own connection (kept open, its statements prepared once: issue 16, where
    /// a pooled connection's reset and the group's unprepared statements were most of PostgreSQL's time per lookup):
    /// <list type="number">
    /// <item>when the group charges a quota, or this writer does not know the head (first group, another
    /// writer active): <c>begin</c>, the quota'd usage rows locked and read (one upsert, in key order), the
    /// head locked and read;</item>
    /// <item>the charges taken (one upsert of the totals), the head locked, the entries appended (one insert)
    /// and the head moved; <c>commit</c>.</item>
    /// </list>
    /// Otherwise the group is one round trip: the entries chain on from the head this writer last committed,
    /// which is checked as it is moved — without effects, one statement in its own transaction, charges, head and
    /// entries (<c>dx.audit_head_at</c>, migration 0026: fewer statements for PostgreSQL to start per group);
    /// with effects, <c>dx.audit_head_expected</c> locks and checks it before they go in. Should anything else (another
    /// process's writer, an append inside a caller's transaction) have moved the head since, the transaction
    /// fails and nothing commits; the group is then committed again with the head read under its lock, which
    /// is also how the writer goes on for <see cref="ContendedFor"/>.
    /// Effects, when a member brings one, run first on the same transaction (before any lock of the head),
    /// one by one. Only after the commit are the members told their positions. Every writer locks usage
    /// rows before the head and the head last, so groups never wait on each other in a cycle.
    /// </summary>
    async Task CommitAsync(IReadOnlyList<Member> group)
    {
        var conn = _connection ??= await dataSource.OpenConnectionAsync();
        var assumed = Stopwatch.GetTimestamp() >= _contendedUntil ? _head : null;
        try
        {
            try
            {
                await CommitAsync(conn, group, assumed);
            }
            catch (PostgresException e) when (assumed is not null && e.SqlState == PostgresErrorCodes.SerializationFailure)
            {
                await AuditGroupStatements.RollbackAsync(conn);
                _head = null;
                _contendedUntil = Stopwatch.GetTimestamp() + (long)(ContendedFor.TotalSeconds * Stopwatch.Frequency);
                await CommitAsync(conn, group, null);
            }
        }
        catch
        {
            _head = null;
            // The transaction is open (or failed): end it here, or give up a connection that broke.
            if (!await AuditGroupStatements.RollbackAsync(conn))
            {
                _connection = null;
                await conn.DisposeAsync();
            }
            throw;
        }
    }

    async Task CommitAsync(NpgsqlConnection conn, IReadOnlyList<Member> group, (long Seq, byte[] Hash)? assumed)
    {
        var records = group.Select(m => m.Record).ToArray();
        var begun = false;
        for (var i = 0; i < group.Count; i++)
        {
            if (group[i].Effect is not { } effect) continue;
            if (!begun)
            {
                await using var begin = new NpgsqlCommand("begin", conn);
                await begin.ExecuteNonQueryAsync();
                begun = true;
            }
            records[i] = await effect(conn, CancellationToken.None);
        }

        // Round trip 1, when needed: begin, the quota'd usage rows, the head.
        var charges = group.Where(m => m.Charge is not null).Select(m => m.Charge!).ToList();
        var quotaed = charges.Where(c => c.Quota is not null).Select(c => (c.SubscriptionId, c.Day)).Distinct()
            .OrderBy(k => k.SubscriptionId, StringComparer.Ordinal).ThenBy(k => k.Day).ToList();
        var used = new Dictionary<(string, DateOnly), long>();
        if (assumed is not { } head || quotaed.Count > 0)
        {
            await using var first = new NpgsqlBatch(conn);
            if (!begun) first.BatchCommands.Add(new NpgsqlBatchCommand("begin"));
            begun = true;
            if (quotaed.Count > 0)
            {
                first.BatchCommands.Add(AuditGroupStatements.LockUsage(quotaed));
            }
            first.BatchCommands.Add(new NpgsqlBatchCommand(AuditGroupStatements.LockHeadSql));
            await first.PrepareAsync();
            await using var reader = await first.ExecuteReaderAsync();
            if (quotaed.Count > 0)
            {
                while (await reader.ReadAsync()) used[(reader.GetString(0), reader.GetFieldValue<DateOnly>(1))] = reader.GetInt64(2);
                await reader.NextResultAsync();
            }
            await reader.ReadAsync();
            head = (reader.GetInt64(0), reader.GetFieldValue<byte[]>(1));
        }

        // The charges in arrival order: each taken when it fits what the earlier ones left.
        var taken = new Dictionary<(string, DateOnly), long>();
        for (var i = 0; i < group.Count; i++)
        {
            if (group[i].Charge is not { } charge) continue;
            var key = (charge.SubscriptionId, charge.Day);
            var before = used.GetValueOrDefault(key) + taken.GetValueOrDefault(key);
            var fits = charge.Quota is not { } quota || before + charge.Rows <= quota;
            if (fits) taken[key] = taken.GetValueOrDefault(key) + charge.Rows;
            records[i] = group[i].Choose!(fits ? null : before);
        }

        // Round trip 2: the charges, the entries and the head, commit. The usual group — head assumed, nothing begun — is one
        // statement in its own transaction; the head assumed is checked when it is moved, after the usage rows are locked.
        var single = !begun && assumed is not null && quotaed.Count == 0;
        await using var second = new NpgsqlBatch(conn);
        if (!begun && !single) second.BatchCommands.Add(new NpgsqlBatchCommand("begin"));
        if (taken.Count > 0 && !single) second.BatchCommands.Add(AuditGroupStatements.Charge(taken));
        var (seq, hash) = head;
        // Assumed rather than read: locked now (after the usage rows, as everywhere), and the transaction fails unless it is still the head.
        if (assumed is not null && quotaed.Count == 0 && !single)
            second.BatchCommands.Add(AuditGroupStatements.ExpectHead(seq, hash));
        var positions = new long[group.Count];
        var entries = new List<(AuditRecord Record, Entry Entry, byte[] PrevHash)>(group.Count);
        for (var i = 0; i < records.Length; i++)
        {
            if (!Records(records[i]!)) continue;
            var entry = Entry.Of(records[i]!, ++seq, hash, Now());
            entries.Add((records[i]!, entry, hash));
            (hash, positions[i]) = (entry.Hash, entry.Seq);
        }
        if (single) second.BatchCommands.Add(AuditGroupStatements.Append(entries, seq, hash, taken, head));
        else
        {
            if (entries.Count > 0) second.BatchCommands.Add(AuditGroupStatements.Insert(entries, seq, hash));
            second.BatchCommands.Add(new NpgsqlBatchCommand("commit"));
        }
        await second.PrepareAsync();
        await second.ExecuteNonQueryAsync();
        _head = (seq, hash);

        foreach (var (record, _, _) in entries) metrics.Appended(AuditNames.Of(record.Action), AuditNames.Of(record.Outcome));
        for (var i = 0; i < group.Count; i++) (group[i].Position, group[i].Failure) = (positions[i], null);
    }
}
