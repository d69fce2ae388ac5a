using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DataExchange.Cli.Audit;

/// <summary>The outcome of an offline verification; <see cref="FirstBadSeq"/> names the first position that fails.</summary>
public sealed record OfflineVerification(bool Ok, long Entries, long? FirstBadSeq, string? Problem, long? CheckpointTreeSize, string? CheckpointSignedAt);

/// <summary>
/// Checks a whole-log NDJSON export (GET /audit/entries/export) with nothing but the exchange's
/// public key: every entry's sequence, link and hash in file order, then the checkpoint line the
/// export ends with — its key id and ECDSA signature, that the file reaches its tree size (a cut
/// tail fails here), and that its chain hash and Merkle root match the entries.
/// </summary>
public sealed class OfflineAuditVerifier(ECDsa publicKey)
{
    public OfflineVerification Verify(TextReader ndjson)
    {
        var hashes = new List<byte[]>();
        byte[] prev = new byte[32], beforePrev = [];
        JsonObject? checkpoint = null;
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
                checkpoint = c;
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

        return checkpoint is null
            ? new OfflineVerification(true, hashes.Count, null, "The file carries no signed checkpoint: only the chain's own consistency was checked.", null, null)
            : VerifyCheckpoint(checkpoint, hashes);
    }

    private OfflineVerification VerifyCheckpoint(JsonObject c, List<byte[]> hashes)
    {
        var size = c["treeSize"]!.GetValue<long>();
        var root = c["rootHash"]!.GetValue<string>();
        var chain = c["chainHash"]!.GetValue<string>();
        var signedAt = c["signedAt"]!.GetValue<string>();
        var keyId = c["keyId"]!.GetValue<string>();
        var signature = Convert.FromBase64String(c["signature"]!.GetValue<string>());
        var text = AuditChainHashing.CheckpointText(size, root, chain, signedAt, keyId);
        if (keyId != AuditChainHashing.KeyId(publicKey))
        {
            return Bad(hashes.Count, null, $"The checkpoint is signed by key {keyId}, not by the given public key ({AuditChainHashing.KeyId(publicKey)}).");
        }

        if (!publicKey.VerifyData(text, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence))
        {
            return Bad(hashes.Count, null, $"The signature of the checkpoint at tree size {size} does not verify.");
        }

        if (size > hashes.Count)
        {
            return Bad(hashes.Count, hashes.Count + 1, $"Entries {hashes.Count + 1}–{size} are missing: the checkpoint signed at {signedAt} covers {size} entries.");
        }

        var n = (int)size;
        if (Convert.ToHexStringLower(hashes[n - 1]) != chain || Convert.ToHexStringLower(AuditChainHashing.MerkleRoot(hashes, n)) != root)
        {
            return Bad(hashes.Count, null, $"The entries do not match the checkpoint at tree size {size}.");
        }

        return new OfflineVerification(true, hashes.Count, null, null, size, signedAt);
    }

    private static OfflineVerification Bad(long entries, long? seq, string problem) => new(false, entries, seq, problem, null, null);

    private static JsonObject Parse(string line, int lineNumber)
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

    private static byte[] Hex(JsonObject json, string name, int lineNumber) =>
        json[name]?.GetValue<string>() is { } hex ? Convert.FromHexString(hex) : throw new InvalidDataException($"Line {lineNumber} has no {name}.");
}
