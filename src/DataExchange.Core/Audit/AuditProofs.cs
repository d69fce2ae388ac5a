using DataExchange.Core.Common;
using Npgsql;

namespace DataExchange.Core.Audit;

/// <summary>An RFC 9162 inclusion proof: entry <see cref="Seq"/> is leaf <see cref="LeafIndex"/> (= seq − 1) of the tree of <see cref="TreeSize"/>.</summary>
public sealed record InclusionProof(long Seq, long LeafIndex, long TreeSize, byte[] EntryHash, byte[] RootHash, IReadOnlyList<byte[]> Path, AuditCheckpoint? Checkpoint);

/// <summary>An RFC 9162 consistency proof between two tree sizes.</summary>
public sealed record ConsistencyProof(long From, long To, byte[] FromRoot, byte[] ToRoot, IReadOnlyList<byte[]> Path);

/// <summary>
/// Merkle proofs over the log: leaf data are the entry hashes, so a proof ties an entry (and the
/// chain up to it) to a signed tree head. Trees come from the <see cref="AuditLeafCache"/>.
/// </summary>
public sealed class AuditProofs(NpgsqlDataSource dataSource, AuditCheckpoints checkpoints, AuditLeafCache cache)
{
    const string HeadSql = "select seq from dx.audit_head where id = 1";
    const string VisibleSql = """
        select 1 from dx.audit_log a
        where a.seq = $1 and ($2 or a.actor_agency = $3 or a.dataset_id in (select id from dx.datasets where owner_agency_id = $3))
        """;

    /// <summary>
    /// Proves entry <paramref name="seq"/> against the tree of <paramref name="treeSize"/> entries
    /// (default: the latest checkpoint). An agency's auditor gets 404 for entries they cannot search.
    /// </summary>
    public async Task<InclusionProof> InclusionAsync(Caller caller, long seq, long? treeSize, CancellationToken cancellationToken = default)
    {
        caller.Require(Role.Auditor);
        await using (var cmd = Db.Command(dataSource, VisibleSql, seq, caller.IsOperator, caller.AgencyId))
            if (await cmd.ExecuteScalarAsync(cancellationToken) is null) throw new NotFoundException($"Audit entry {seq} does not exist or is not yours to see.");
        var size = treeSize ?? (await checkpoints.LatestAsync(cancellationToken))?.TreeSize
            ?? throw new ConflictException("no-checkpoint", "No checkpoint is signed yet; pass treeSize or wait for the first checkpoint.");
        await EnsureSizeAsync("treeSize", size, cancellationToken);
        if (seq > size) throw new InvalidException("entry-after-tree", $"Entry {seq} is not in a tree of {size} entries.", [new("/treeSize", "range", "Use a tree size at or after the entry.")]);
        var checkpoint = await checkpoints.LatestAtMostAsync(size, cancellationToken);
        return await cache.WithTreeAsync(size, (tree, hashes) => new InclusionProof(seq, seq - 1, size, hashes[(int)(seq - 1)], tree.Root(size),
            tree.InclusionPath(seq - 1, size), checkpoint?.TreeSize == size ? checkpoint : null), cancellationToken);
    }

    /// <summary>Proves that the tree of <paramref name="from"/> entries is a prefix of the tree of <paramref name="to"/>.</summary>
    public async Task<ConsistencyProof> ConsistencyAsync(Caller caller, long? fromSize, long? toSize, CancellationToken cancellationToken = default)
    {
        caller.Require(Role.Auditor);
        if (fromSize is not { } from || toSize is not { } to || from < 1 || from > to)
            throw new InvalidException("invalid-range", "Need 1 ≤ from ≤ to.", [new("/from", "range", "Pass two tree sizes, from and to, the smaller first.")]);
        await EnsureSizeAsync("to", to, cancellationToken);
        return await cache.WithTreeAsync(to, (tree, _) => new ConsistencyProof(from, to, tree.Root(from), tree.Root(to), tree.ConsistencyProof(from, to)),
            cancellationToken);
    }

    async Task EnsureSizeAsync(string name, long size, CancellationToken cancellationToken)
    {
        await using var cmd = Db.Command(dataSource, HeadSql);
        var head = (long)(await cmd.ExecuteScalarAsync(cancellationToken))!;
        if (size < 1 || size > head) throw new InvalidException("invalid-tree-size", $"The log has {head} entries.", [new("/" + name, "range", $"Use 1–{head}.")]);
    }
}
