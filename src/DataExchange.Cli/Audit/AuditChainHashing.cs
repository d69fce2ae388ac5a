using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DataExchange.Cli.Audit;

/// <summary>
/// The server's audit hashing, re-implemented: canonical JSON (members sorted ordinally, no
/// whitespace, relaxed escaping), entry hash SHA-256(prevHash ‖ canonical entry) and the checkpoint's
/// signed text (the Merkle tree heads are in <see cref="MerkleHeads"/>). Duplicated on purpose (about
/// 80 lines): dx must not reference server code, and an auditor's verifier that shares code with
/// the thing it audits would share its bugs. The integration tests check that both agree.
/// </summary>
public static class AuditChainHashing
{
    static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    /// <summary>The bytes an entry hash covers, built from an exported line exactly as the server builds them.</summary>
    public static byte[] CanonicalEntry(JsonObject line)
    {
        var node = new JsonObject
        {
            ["seq"] = line["seq"]?.DeepClone(),
            ["at"] = line["at"]?.DeepClone(),
            ["actorAgency"] = line["actorAgency"]?.DeepClone(),
            ["actorClient"] = line["actorClient"]?.DeepClone(),
            ["action"] = line["action"]?.DeepClone(),
            ["target"] = line["target"]?.DeepClone(),
            ["datasetId"] = line["datasetId"]?.DeepClone(),
            ["outcome"] = line["outcome"]?.DeepClone(),
            ["details"] = line["details"]?.DeepClone() ?? new JsonObject(),
        };
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            WriteCanonical(writer, node);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>SHA-256(prevHash ‖ canonical).</summary>
    public static byte[] EntryHash(byte[] prevHash, byte[] canonical)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(prevHash);
        sha.AppendData(canonical);
        return sha.GetHashAndReset();
    }

    /// <summary>The six lines the server signs (see the README, "Audit trail").</summary>
    public static byte[] CheckpointText(long treeSize, string rootHex, string chainHex, string signedAt, string keyId) =>
        System.Text.Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $"dataexchange-audit-checkpoint/v1\n{treeSize}\n{rootHex}\n{chainHex}\n{signedAt}\n{keyId}\n"));

    /// <summary>First 8 bytes of SHA-256 of the DER SubjectPublicKeyInfo, in hex.</summary>
    public static string KeyId(ECDsa key) => Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()).AsSpan(0, 8));

    static void WriteCanonical(Utf8JsonWriter writer, JsonNode? node)
    {
        switch (node)
        {
            case null:
                writer.WriteNullValue();
                break;
            case JsonObject obj:
                writer.WriteStartObject();
                foreach (var (name, value) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(name);
                    WriteCanonical(writer, value);
                }

                writer.WriteEndObject();
                break;
            case JsonArray array:
                writer.WriteStartArray();
                foreach (var item in array)
                {
                    WriteCanonical(writer, item);
                }

                writer.WriteEndArray();
                break;
            default:
                node.WriteTo(writer);
                break;
        }
    }
}
