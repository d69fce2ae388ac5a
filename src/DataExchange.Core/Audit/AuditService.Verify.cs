using DataExchange.Core.Audit.Merkle;
using DataExchange.Core.Common;

namespace DataExchange.Core.Audit;

public sealed partial class AuditService
{
    /// <summary>
    /// Recomputes the whole chain from the stored entries (operator auditors: it reads every entry)
    /// and names the first position whose sequence, link or hash does not verify; then holds the log
    /// against every signed checkpoint, which is what catches a cut tail or a consistently rewritten
    /// suffix — the chain alone cannot, since whoever cuts it can also move dx.audit_head back.
    /// </summary>
    public async Task<ChainVerification> VerifyAsync(Caller caller, CancellationToken cancellationToken = default)
    {
        caller.Require(Role.Auditor);
        if (!caller.IsOperator) throw new ForbiddenException("operator-required", "Verifying the whole chain reads every agency's entries; the exchange's auditors do it.");
        var signed = await checkpoints.AllAsync(cancellationToken);
        var next = 0;
        long verifiedUpTo = 0;
        var tree = new MerkleAccumulator();
        await using var cmd = Db.Command(dataSource, $"select {Columns} from dx.audit_log order by seq");
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        byte[] prev = new byte[32], beforePrev = [];
        long expected = 1, count = 0;
        while (await r.ReadAsync(cancellationToken))
        {
            var e = Read(r);
            count++;
            if (e.Seq != expected) return Bad(count, expected, next, $"Entry {expected} is missing (found {e.Seq} next).");
            if (!e.PrevHash.AsSpan().SequenceEqual(prev))
            {
                // A forger who inserts a well-hashed entry and renumbers the rest leaves the next entry pointing past it.
                return e.PrevHash.AsSpan().SequenceEqual(beforePrev)
                    ? Bad(count, e.Seq - 1, next, $"Entry {e.Seq - 1} was inserted: entry {e.Seq} links past it to entry {e.Seq - 2}.")
                    : Bad(count, e.Seq, next, "The link to the previous entry does not match.");
            }
            var hash = AuditEntry.ComputeHash(prev, AuditEntry.CanonicalBytes(e.Seq, e.At, e.ActorAgency, e.ActorClient, e.Action, e.Target, e.DatasetId, e.Outcome, e.Details));
            if (!hash.AsSpan().SequenceEqual(e.Hash)) return Bad(count, e.Seq, next, "The entry's content does not match its hash.");
            tree.Append(hash);
            for (; next < signed.Count && signed[next].TreeSize == e.Seq; next++)
            {
                if (CheckpointProblem(signed[next], hash, tree.Root()) is { } problem) return Bad(count, verifiedUpTo + 1, next, problem);
                verifiedUpTo = e.Seq;
            }
            (beforePrev, prev) = (prev, e.Hash);
            expected++;
        }
        if (next < signed.Count)
        {
            var missing = signed[^1];
            return Bad(count, expected, next, $"Entries {expected}–{missing.TreeSize} are missing: the checkpoint signed at {AuditCheckpoint.Time(missing.SignedAt)} covers {missing.TreeSize} entries.");
        }
        return new ChainVerification(true, count, null, null, next);
    }

    string? CheckpointProblem(AuditCheckpoint checkpoint, byte[] chainHash, byte[] root)
    {
        var at = $"the checkpoint at tree size {checkpoint.TreeSize}";
        if (checkpoint.KeyId != key.KeyId) return $"{char.ToUpperInvariant(at[0])}{at[1..]} is signed by key {checkpoint.KeyId}, not this exchange's key {key.KeyId}.";
        if (!key.Verify(checkpoint.SignedText(), checkpoint.Signature)) return $"The signature of {at} does not verify.";
        if (!checkpoint.ChainHash.AsSpan().SequenceEqual(chainHash) || !checkpoint.RootHash.AsSpan().SequenceEqual(root))
            return $"The entries since the previous checkpoint do not match {at}.";
        return null;
    }

    static ChainVerification Bad(long entries, long seq, int checkpointsVerified, string problem) => new(false, entries, seq, problem, checkpointsVerified);
}
