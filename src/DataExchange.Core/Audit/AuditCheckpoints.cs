using System.Globalization;
using DataExchange.Core.Audit.Merkle;
using DataExchange.Core.Common;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace DataExchange.Core.Audit;

/// <summary>Signs and lists checkpoints of the audit log.</summary>
public sealed partial class AuditCheckpoints(NpgsqlDataSource dataSource, AuditSigningKey key, IOptions<AuditOptions> options, TimeProvider time,
    ILogger<AuditCheckpoints> logger)
{
    // Arbitrary, fixed: "DX" + "CKPT". Several workers may poll; one signs at a time.
    const long LockKey = 0x44_58_43_4B_50_54;
    const string Columns = "tree_size, root_hash, chain_hash, signed_at, key_id, signature";
    const string HeadSql = "select seq from dx.audit_head where id = 1";
    const string LastSql = $"select {Columns} from dx.audit_checkpoints order by tree_size desc limit 1";
    const string AtMostSql = $"select {Columns} from dx.audit_checkpoints where tree_size <= $1 order by tree_size desc limit 1";
    const string PageSql = $"select {Columns} from dx.audit_checkpoints where tree_size < $1 order by tree_size desc limit $2";
    const string HashesSql = "select seq, prev_hash, hash from dx.audit_log where seq > $1 and seq <= $2 order by seq";
    const string InsertSql = $"insert into dx.audit_checkpoints ({Columns}) values ($1, $2, $3, $4, $5, $6)";

    // The tree and chain of the checkpoint this signer last signed (issue 16): the next one extends them.
    Signed? _signed;

    /// <summary>Signs a checkpoint now when the policy of <see cref="AuditOptions"/> asks for one (the worker's tick).</summary>
    public async Task<AuditCheckpoint?> CheckpointIfDueAsync(CancellationToken cancellationToken = default)
    {
        var head = await HeadAsync(cancellationToken);
        var last = await LatestAsync(cancellationToken);
        var signed = last?.TreeSize ?? 0;
        if (head == signed) return null;
        var due = head - signed >= options.Value.CheckpointEvery
            || last is null || time.GetUtcNow() - last.SignedAt >= options.Value.CheckpointInterval;
        return due ? await CheckpointAsync(cancellationToken) : null;
    }

    /// <summary>
    /// Signs the current head unless it is already signed, never blessing a log that was cut or relinked. When
    /// the newest checkpoint is the one this signer last signed, it re-links only the entries since (onto that
    /// checkpoint's chain hash, its tree extended from memory), so a checkpoint costs what was appended, not the
    /// whole log (issue 16: 221 ms at 16–32k entries every 5 s under load, and growing). Otherwise (a restart,
    /// another node signed, checkpoints were deleted) it re-links the whole chain and re-derives the newest
    /// checkpoint's root on the way. Either way what it signs extends a checkpoint it verified: an entry edited
    /// before that checkpoint is not re-read, and the checkpoints still locate it (verification reads the table).
    /// </summary>
    public async Task<AuditCheckpoint?> CheckpointAsync(CancellationToken cancellationToken = default)
    {
        await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken);
        await using (var lockCmd = Db.Command(conn, "select pg_advisory_xact_lock($1)", LockKey))
            await lockCmd.ExecuteNonQueryAsync(cancellationToken);
        long head;
        await using (var cmd = Db.Command(conn, HeadSql)) head = (long)(await cmd.ExecuteScalarAsync(cancellationToken))!;
        AuditCheckpoint? last;
        await using (var cmd = Db.Command(conn, LastSql))
        await using (var r = await cmd.ExecuteReaderAsync(cancellationToken))
            last = await r.ReadAsync(cancellationToken) ? Read(r) : null;
        if (head == 0 || head == last?.TreeSize) return null;
        // A head behind the last checkpoint is a cut tail: signing it would bless the cut.
        if (head < last?.TreeSize) return Refuse(head + 1);

        var from = _signed is { } mine && last is not null && mine.Is(last) ? mine : null;
        var tree = from?.Tree.Clone() ?? new MerkleAccumulator();
        var chain = from?.Chain ?? new byte[32];
        await using (var cmd = Db.Command(conn, HashesSql, tree.Size, head))
        await using (var r = await cmd.ExecuteReaderAsync(cancellationToken))
        {
            while (await r.ReadAsync(cancellationToken))
            {
                var (seq, prev, hash) = (r.GetInt64(0), r.GetFieldValue<byte[]>(1), r.GetFieldValue<byte[]>(2));
                if (seq != tree.Size + 1 || !prev.AsSpan().SequenceEqual(chain)) return Refuse(seq);
                tree.Append(hash);
                chain = hash;
                if (seq == last?.TreeSize && !tree.Root().AsSpan().SequenceEqual(last.RootHash)) return Refuse(seq);
            }
        }
        if (tree.Size != head) return Refuse(tree.Size + 1);

        var now = time.GetUtcNow();
        var signedAt = new DateTimeOffset(now.Ticks - now.Ticks % 10, TimeSpan.Zero);
        var root = tree.Root();
        var signature = key.Sign(AuditCheckpoint.SignedText(head, root, chain, signedAt, key.KeyId));
        var checkpoint = new AuditCheckpoint(head, root, chain, signedAt, key.KeyId, signature);
        await using (var insert = Db.Command(conn, InsertSql, head, root, chain, signedAt, key.KeyId, signature))
            await insert.ExecuteNonQueryAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
        _signed = new Signed(tree, root, chain);
        LogSigned(logger, head);
        return checkpoint;
    }

    /// <summary>
    /// The checkpoint a whole-log export carries: one of the current head, signed now when this node
    /// holds the signing key, else the newest — never an older one, which would let a cut tail pass
    /// (issue 13). Taken before the entries are read, so the export reaches it unless the log was cut.
    /// </summary>
    public async Task<AuditCheckpoint?> ForExportAsync(CancellationToken cancellationToken = default) =>
        (key.IsHeld ? await CheckpointAsync(cancellationToken) : null) ?? await LatestAsync(cancellationToken);

    /// <summary>The newest checkpoint, if any.</summary>
    public async Task<AuditCheckpoint?> LatestAsync(CancellationToken cancellationToken = default) =>
        await LatestAtMostAsync(long.MaxValue, cancellationToken);

    /// <summary>The newest checkpoint covering at most <paramref name="treeSize"/> entries.</summary>
    public async Task<AuditCheckpoint?> LatestAtMostAsync(long treeSize, CancellationToken cancellationToken = default)
    {
        await using var cmd = Db.Command(dataSource, AtMostSql, treeSize);
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        return await r.ReadAsync(cancellationToken) ? Read(r) : null;
    }

    /// <summary>Checkpoints, newest first (any auditor: they hold hashes only).</summary>
    public async Task<Page<AuditCheckpoint>> ListAsync(Caller caller, int? limit, string? after, CancellationToken cancellationToken = default)
    {
        caller.Require(Role.Auditor);
        var take = Paging.Limit(limit);
        var before = Paging.Decode(after) is { } c ? long.Parse(c, CultureInfo.InvariantCulture) : long.MaxValue;
        var list = new List<AuditCheckpoint>();
        await using (var cmd = Db.Command(dataSource, PageSql, before, take + 1))
        await using (var r = await cmd.ExecuteReaderAsync(cancellationToken))
            while (await r.ReadAsync(cancellationToken)) list.Add(Read(r));
        var next = list.Count > take ? Paging.Encode(list[take - 1].TreeSize.ToString(CultureInfo.InvariantCulture)) : null;
        return new Page<AuditCheckpoint>(list.Take(take).ToList(), next);
    }

    /// <summary>Every checkpoint, oldest first (verification).</summary>
    public async Task<IReadOnlyList<AuditCheckpoint>> AllAsync(CancellationToken cancellationToken = default)
    {
        var list = new List<AuditCheckpoint>();
        await using var cmd = Db.Command(dataSource, $"select {Columns} from dx.audit_checkpoints order by tree_size");
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken)) list.Add(Read(r));
        return list;
    }

    async Task<long> HeadAsync(CancellationToken cancellationToken)
    {
        await using var cmd = Db.Command(dataSource, HeadSql);
        return (long)(await cmd.ExecuteScalarAsync(cancellationToken))!;
    }

    AuditCheckpoint? Refuse(long seq)
    {
        LogRefused(logger, seq);
        return null;
    }

    /// <summary>A checkpoint this signer signed: its tree (to extend), root and chain hash.</summary>
    sealed record Signed(MerkleAccumulator Tree, byte[] Root, byte[] Chain)
    {
        /// <summary>Whether <paramref name="checkpoint"/> is this one (the newest in the table may be another node's, or gone).</summary>
        public bool Is(AuditCheckpoint checkpoint) => checkpoint.TreeSize == Tree.Size && checkpoint.RootHash.AsSpan().SequenceEqual(Root)
            && checkpoint.ChainHash.AsSpan().SequenceEqual(Chain);
    }

    static AuditCheckpoint Read(NpgsqlDataReader r) => new(r.GetInt64(0), r.GetFieldValue<byte[]>(1), r.GetFieldValue<byte[]>(2),
        r.GetFieldValue<DateTimeOffset>(3), r.GetString(4), r.GetFieldValue<byte[]>(5));

    [LoggerMessage(Level = LogLevel.Information, Message = "Audit checkpoint signed at tree size {TreeSize}")]
    static partial void LogSigned(ILogger logger, long treeSize);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Audit checkpoint refused: the log does not verify at position {Seq}; run POST /api/v1/audit/verification")]
    static partial void LogRefused(ILogger logger, long seq);
}
