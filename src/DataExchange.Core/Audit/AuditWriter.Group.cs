using System.Threading.Channels;
using Npgsql;
using NpgsqlTypes;

namespace DataExchange.Core.Audit;

public sealed partial class AuditWriter
{
    /// <summary>
    /// Most entries one group appends. While a group commits the next one gathers, so under load a group
    /// holds what arrived during one commit (tens at thousands of requests a second); 512 bounds the
    /// statement and the time a member waits behind others.
    /// </summary>
    const int MaxGroup = 512;

    // One statement for the whole group: the entries from parallel arrays, then the new head.
    const string InsertGroupSql = """
        with entries as (
            insert into dx.audit_log (seq, at, actor_agency, actor_client, action, target, dataset_id, outcome, details, prev_hash, hash)
            select * from unnest($1::bigint[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::jsonb[], $10::bytea[], $11::bytea[]))
        update dx.audit_head set seq = $12, hash = $13 where id = 1
        """;

    readonly Channel<Member> _queue = Channel.CreateUnbounded<Member>(new UnboundedChannelOptions { SingleReader = true });
    readonly Lock _start = new();
    Task? _loop;
    bool _disposed;

    /// <summary>One caller's part of a group: its effect, and the task that completes once its entry is committed.</summary>
    sealed class Member(Func<NpgsqlConnection, CancellationToken, ValueTask<AuditRecord>> effect)
    {
        public Func<NpgsqlConnection, CancellationToken, ValueTask<AuditRecord>> Effect { get; } = effect;
        public TaskCompletionSource<long> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>
    /// The writer loop: takes whatever has queued (at most <see cref="MaxGroup"/>) and commits it as one
    /// group, so a lone request waits for no one and concurrent ones share a transaction. A group that
    /// fails is retried member by member, so one member's failing effect fails only its own request.
    /// </summary>
    async Task RunAsync()
    {
        var group = new List<Member>(MaxGroup);
        while (await _queue.Reader.WaitToReadAsync())
        {
            group.Clear();
            while (group.Count < MaxGroup && _queue.Reader.TryRead(out var member)) group.Add(member);
            try
            {
                await CommitAsync(group);
            }
            catch (Exception) when (group.Count > 1)
            {
                foreach (var member in group)
                {
                    try { await CommitAsync([member]); }
                    catch (Exception e) { member.Done.TrySetException(e); }
                }
            }
            catch (Exception e)
            {
                group[0].Done.TrySetException(e);
            }
        }
    }

    /// <summary>
    /// Runs the members' effects, locks the head, appends their entries in one statement and commits;
    /// only then are the members told their positions. Effects run before the head is locked, so the one
    /// lock every writer shares is held only for the insert and the commit, and never while waiting on
    /// another row (every writer takes the head last: no deadlock).
    /// </summary>
    async Task CommitAsync(IReadOnlyList<Member> group)
    {
        await using var conn = await dataSource.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        var records = new AuditRecord[group.Count];
        for (var i = 0; i < group.Count; i++) records[i] = await group[i].Effect(conn, CancellationToken.None);
        var positions = new long[group.Count];
        if (records.Any(Records))
        {
            var (seq, hash) = await LockHeadAsync(conn, CancellationToken.None);
            var entries = new List<(AuditRecord Record, Entry Entry, byte[] PrevHash)>(group.Count);
            for (var i = 0; i < records.Length; i++)
            {
                if (!Records(records[i])) continue;
                var entry = Entry.Of(records[i], ++seq, hash, Now());
                entries.Add((records[i], entry, hash));
                (hash, positions[i]) = (entry.Hash, entry.Seq);
            }
            await InsertAsync(conn, entries, seq, hash);
        }
        await tx.CommitAsync();
        foreach (var record in records.Where(Records)) metrics.Appended(AuditNames.Of(record.Action), AuditNames.Of(record.Outcome));
        for (var i = 0; i < group.Count; i++) group[i].Done.TrySetResult(positions[i]);
    }

    static async Task InsertAsync(NpgsqlConnection conn, List<(AuditRecord Record, Entry Entry, byte[] PrevHash)> entries, long head, byte[] headHash)
    {
        await using var cmd = new NpgsqlCommand(InsertGroupSql, conn);
        void Add<T>(Func<(AuditRecord Record, Entry Entry, byte[] PrevHash), T> value, NpgsqlDbType type) =>
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
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>Lets the queued entries commit, then stops the writer loop.</summary>
    public async ValueTask DisposeAsync()
    {
        Task? loop;
        lock (_start)
        {
            _disposed = true;
            loop = _loop;
        }
        _queue.Writer.TryComplete();
        if (loop is not null) await loop;
    }

    /// <inheritdoc />
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}
