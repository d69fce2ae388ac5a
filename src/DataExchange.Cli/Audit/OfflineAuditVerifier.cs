using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DataExchange.Cli.Audit;

/// <summary>
/// The outcome of an offline verification; <see cref="FirstBadSeq"/> names the first position that
/// fails; <see cref="Witnessed"/> counts the witnessed checkpoints the file matched.
/// </summary>
public sealed record OfflineVerification(bool Ok, long Entries, long? FirstBadSeq, string? Problem, long? CheckpointTreeSize, string? CheckpointSignedAt,
    int Witnessed = 0);

/// <summary>
/// Checks a whole-log NDJSON export (GET /audit/entries/export) with nothing but the exchange's
/// public key: every entry's sequence, link and hash in file order; then, given the checkpoints a
/// witness kept (<c>dx audit witness</c>), that the file reaches each one's tree size and matches
/// its root — so a cut tail or a rewritten range is found even when the exchange no longer shows the
/// checkpoints that covered it, and located between two witnessed ones; then the checkpoint line the
/// export ends with — its key id and ECDSA signature, that the file reaches its tree size (a cut
/// tail fails here), and that its chain hash and Merkle root match the entries.
/// </summary>
public sealed class OfflineAuditVerifier(ECDsa publicKey)
{
    public OfflineVerification Verify(TextReader ndjson, IReadOnlyList<SignedCheckpoint>? witnessed = null)
    {
        var hashes = new List<byte[]>();
        byte[] prev = new byte[32], beforePrev = [];
        SignedCheckpoint? checkpoint = null;
        var lineNumber = 0;
        while (ndjson.ReadLine() is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var json = Parse(line, lineNumber);
            if (json["checkpoint"] is JsonObject c)
            {
                checkpoint = SignedCheckpoint.From(c);
                continue;
            }

            var expected = hashes.Count + 1L;
            var seq = json["seq"]?.GetValue<long>() ?? throw new InvalidDataException($"Line {lineNumber} has no seq.");
            if (seq != expected)
            {
                return Bad(hashes.Count, expected, $"Entry {expected} is missing (found {seq} next).");
            }

            var linked = Hex(json, "prevHash", lineNumber);
            if (!linked.AsSpan().SequenceEqual(prev))
            {
                return linked.AsSpan().SequenceEqual(beforePrev)
                    ? Bad(hashes.Count, seq - 1, $"Entry {seq - 1} was inserted: entry {seq} links past it to entry {seq - 2}.")
                    : Bad(hashes.Count, seq, "The link to the previous entry does not match.");
            }

            var hash = AuditChainHashing.EntryHash(prev, AuditChainHashing.CanonicalEntry(json));
            if (!hash.AsSpan().SequenceEqual(Hex(json, "hash", lineNumber)))
            {
                return Bad(hashes.Count, seq, "The entry's content does not match its hash.");
            }

            hashes.Add(hash);
            (beforePrev, prev) = (prev, hash);
        }

        witnessed ??= [];
        var roots = MerkleHeads.At(hashes, witnessed.Select(w => w.TreeSize).Append(checkpoint?.TreeSize ?? 0).Where(n => n <= hashes.Count));
        if (HoldAgainst(witnessed, hashes, roots) is { } bad)
        {
            return bad;
        }

        return checkpoint is null
            ? new OfflineVerification(true, hashes.Count, null, "The file carries no signed checkpoint: only the chain's own consistency was checked.", null, null, witnessed.Count)
            : VerifyCheckpoint(checkpoint, hashes, roots, witnessed.Count);
    }

    /// <summary>The first witnessed checkpoint (by size) the file stops short of or differs from; the range since the last one it matched locates the change.</summary>
    static OfflineVerification? HoldAgainst(IReadOnlyList<SignedCheckpoint> witnessed, List<byte[]> hashes, Dictionary<long, string> roots)
    {
        long matched = 0;
        foreach (var w in witnessed.OrderBy(w => w.TreeSize))
        {
            if (w.TreeSize > hashes.Count)
            {
                return Bad(hashes.Count, hashes.Count + 1,
                    $"The export ends at entry {hashes.Count}, before the checkpoint witnessed at tree size {w.TreeSize} (signed {w.SignedAt}): entries {hashes.Count + 1}–{w.TreeSize} are missing.");
            }

            if (!Matches(w, hashes, roots))
            {
                return Bad(hashes.Count, matched + 1, $"Entries {matched + 1}–{w.TreeSize} do not match the checkpoint witnessed at tree size {w.TreeSize} (signed {w.SignedAt}).");
            }

            matched = w.TreeSize;
        }

        return null;
    }

    OfflineVerification VerifyCheckpoint(SignedCheckpoint c, List<byte[]> hashes, Dictionary<long, string> roots, int witnessed)
    {
        if (c.SignatureProblem(publicKey) is { } problem)
        {
            return Bad(hashes.Count, null, problem);
        }

        if (c.TreeSize > hashes.Count)
        {
            return Bad(hashes.Count, hashes.Count + 1, $"Entries {hashes.Count + 1}–{c.TreeSize} are missing: the checkpoint signed at {c.SignedAt} covers {c.TreeSize} entries.");
        }

        return Matches(c, hashes, roots)
            ? new OfflineVerification(true, hashes.Count, null, null, c.TreeSize, c.SignedAt, witnessed)
            : Bad(hashes.Count, null, $"The entries do not match the checkpoint at tree size {c.TreeSize}.");
    }

    static bool Matches(SignedCheckpoint c, List<byte[]> hashes, Dictionary<long, string> roots) =>
        c.TreeSize >= 1 && Convert.ToHexStringLower(hashes[(int)c.TreeSize - 1]) == c.ChainHash && roots[c.TreeSize] == c.RootHash;

    static OfflineVerification Bad(long entries, long? seq, string problem) => new(false, entries, seq, problem, null, null);

    static JsonObject Parse(string line, int lineNumber)
    {
        try
        {
            return JsonNode.Parse(line) as JsonObject ?? throw new InvalidDataException($"Line {lineNumber} is not a JSON object.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Line {lineNumber} is not JSON: {e.Message}", e);
        }
    }

    static byte[] Hex(JsonObject json, string name, int lineNumber) =>
        json[name]?.GetValue<string>() is { } hex ? Convert.FromHexString(hex) : throw new InvalidDataException($"Line {lineNumber} has no {name}.");
}
