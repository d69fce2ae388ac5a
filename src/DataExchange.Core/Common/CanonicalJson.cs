using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DataExchange.Core.Common;

/// <summary>
/// Canonical JSON in the manner of RFC 8785: object members sorted by name (ordinal, UTF-16),
/// no insignificant whitespace, numbers as written by System.Text.Json. Record hashes, audit hashes
/// and schema fingerprints all use it, so equal content always hashes equal, whatever the key order
/// of the source or of jsonb.
/// </summary>
public static class CanonicalJson
{
    /// <summary>Writes <paramref name="node"/> canonically.</summary>
    public static void Write(Utf8JsonWriter writer, JsonNode? node)
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
                    Write(writer, value);
                }
                writer.WriteEndObject();
                break;
            case JsonArray array:
                writer.WriteStartArray();
                foreach (var item in array) Write(writer, item);
                writer.WriteEndArray();
                break;
            default:
                node.WriteTo(writer);
                break;
        }
    }

    /// <summary>The canonical UTF-8 bytes of <paramref name="node"/>.</summary>
    public static byte[] ToBytes(JsonNode? node)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions)) Write(writer, node);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The canonical text of <paramref name="node"/>.</summary>
    public static string ToText(JsonNode? node) => System.Text.Encoding.UTF8.GetString(ToBytes(node));

    /// <summary>SHA-256 of the canonical bytes.</summary>
    public static byte[] Sha256(JsonNode? node) => SHA256.HashData(ToBytes(node));

    /// <summary>Relaxed escaping keeps non-ASCII text (Chinese names) as UTF-8, as jsonb returns it.</summary>
    public static JsonWriterOptions WriterOptions { get; } = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };
}
