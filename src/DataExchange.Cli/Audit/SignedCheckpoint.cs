using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace DataExchange.Cli.Audit;

/// <summary>
/// A signed checkpoint as the API, an export's last line and a witness file write it: tree size,
/// Merkle root and chain hash (hex), signing time, key id and the DER signature (base64).
/// </summary>
public sealed record SignedCheckpoint(long TreeSize, string RootHash, string ChainHash, string SignedAt, string KeyId, string Signature)
{
    /// <summary>Reads one from its JSON object; a missing or mistyped member is an <see cref="InvalidDataException"/>.</summary>
    public static SignedCheckpoint From(JsonNode json)
    {
        try
        {
            return new SignedCheckpoint(json["treeSize"]!.GetValue<long>(), json["rootHash"]!.GetValue<string>(), json["chainHash"]!.GetValue<string>(),
                json["signedAt"]!.GetValue<string>(), json["keyId"]!.GetValue<string>(), json["signature"]!.GetValue<string>());
        }
        catch (Exception e) when (e is NullReferenceException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"Not a signed checkpoint: {json.ToJsonString()}", e);
        }
    }

    /// <summary>The JSON object of <see cref="From"/>.</summary>
    public JsonObject ToJson() => new()
    {
        ["treeSize"] = TreeSize,
        ["rootHash"] = RootHash,
        ["chainHash"] = ChainHash,
        ["signedAt"] = SignedAt,
        ["keyId"] = KeyId,
        ["signature"] = Signature,
    };

    /// <summary>Why <paramref name="key"/> does not vouch for this checkpoint (another key id, or a bad signature), or null when it does.</summary>
    public string? SignatureProblem(ECDsa key)
    {
        var expected = AuditChainHashing.KeyId(key);
        if (KeyId != expected)
        {
            return $"The checkpoint at tree size {TreeSize} is signed by key {KeyId}, not by the given public key ({expected}).";
        }

        var text = AuditChainHashing.CheckpointText(TreeSize, RootHash, ChainHash, SignedAt, KeyId);
        return key.VerifyData(text, Convert.FromBase64String(Signature), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence)
            ? null
            : $"The signature of the checkpoint at tree size {TreeSize} does not verify.";
    }

    /// <summary>Whether both hashes equal <paramref name="other"/>'s (the same log at the same size).</summary>
    public bool SameLog(SignedCheckpoint other) =>
        TreeSize == other.TreeSize && RootHash == other.RootHash && ChainHash == other.ChainHash;
}
