using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace DataExchange.Core.Ingestion;

/// <summary>
/// Turns a validated record into what is stored: the key (key fields, trimmed, joined by U+001F),
/// the canonical JSON text (members sorted by ordinal name, no whitespace) and its SHA-256.
/// Equal content gives equal hashes whatever the column order of the source.
/// </summary>
public static class RecordShaper
{
    /// <summary>Separates the parts of a composite key; a control character no real key contains.</summary>
    public const char KeySeparator = '\u001f';

    /// <summary>The record's key, or null with a reason when a key field is missing or empty.</summary>
    public static string? Key(JObject record, IReadOnlyList<string> keyFields, out string? missing) =>
        Key(keyFields, record, static (r, _, field) => r[field], out missing);

    /// <summary>
    /// The key from any view of a record: <paramref name="valueOf"/> gives the value of key field i
    /// (named field), null when the record has none.
    /// </summary>
    internal static string? Key<TRecord>(IReadOnlyList<string> keyFields, TRecord record, Func<TRecord, int, string, JToken?> valueOf, out string? missing)
    {
        missing = null;
        if (keyFields.Count == 1) return KeyPart(valueOf(record, 0, keyFields[0]), keyFields[0], ref missing);
        var sb = new StringBuilder();
        for (var i = 0; i < keyFields.Count; i++)
        {
            var part = KeyPart(valueOf(record, i, keyFields[i]), keyFields[i], ref missing);
            if (part is null) return null;
            if (i > 0) sb.Append(KeySeparator);
            sb.Append(part);
        }
        return sb.ToString();
    }

    static string? KeyPart(JToken? token, string field, ref string? missing)
    {
        var text = token switch
        {
            null or { Type: JTokenType.Null } => null,
            JValue { Value: IFormattable f } => f.ToString(null, CultureInfo.InvariantCulture),
            JValue v => v.Value?.ToString()?.Trim(),
            _ => token.ToString(Formatting.None),
        };
        if (string.IsNullOrEmpty(text)) missing = field;
        return string.IsNullOrEmpty(text) ? null : text;
    }

    /// <summary>The canonical JSON text of <paramref name="token"/>.</summary>
    public static string Canonical(JToken token)
    {
        var sb = new StringBuilder(256);
        using (var writer = new JsonTextWriter(new StringWriter(sb, CultureInfo.InvariantCulture)) { Formatting = Formatting.None })
            Write(writer, token);
        return sb.ToString();
    }

    // One SHA-256 context per thread, reset by each hash: the one-shot API sets up and tears down a
    // native digest context per call, a quarter of the hashing time for records of a few hundred bytes.
    [ThreadStatic] static IncrementalHash? _sha256;

    /// <summary>SHA-256 of the UTF-8 bytes of <paramref name="canonical"/>.</summary>
    public static byte[] Hash(string canonical)
    {
        var sha = _sha256 ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var max = Encoding.UTF8.GetMaxByteCount(canonical.Length);
        byte[]? rented = null;
        Span<byte> bytes = max <= 2048 ? stackalloc byte[2048] : (rented = System.Buffers.ArrayPool<byte>.Shared.Rent(max));
        try
        {
            var n = Encoding.UTF8.GetBytes(canonical, bytes);
            sha.AppendData(bytes[..n]);
            var hash = new byte[32];
            sha.GetHashAndReset(hash);
            return hash;
        }
        finally
        {
            if (rented is not null) System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>CSV records are built in sorted column order, so the sort (and its allocations) is usually skipped.</summary>
    static bool IsSorted(JObject obj)
    {
        string? previous = null;
        foreach (var p in obj.Properties())
        {
            if (previous is not null && string.CompareOrdinal(previous, p.Name) > 0) return false;
            previous = p.Name;
        }
        return true;
    }

    static void Write(JsonTextWriter writer, JToken token)
    {
        switch (token)
        {
            case JObject obj:
                writer.WriteStartObject();
                foreach (var p in IsSorted(obj) ? obj.Properties() : obj.Properties().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(p.Name);
                    Write(writer, p.Value);
                }
                writer.WriteEndObject();
                break;
            case JArray array:
                writer.WriteStartArray();
                foreach (var item in array) Write(writer, item);
                writer.WriteEndArray();
                break;
            default:
                token.WriteTo(writer);
                break;
        }
    }
}
