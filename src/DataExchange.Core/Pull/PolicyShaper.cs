using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DataExchange.Core.Subscriptions;

namespace DataExchange.Core.Pull;

/// <summary>Applies a policy's projection and masks to one stored record, and to its key, on the way out.</summary>
public sealed class PolicyShaper(AccessPolicy policy, byte[] hashKey, IReadOnlyList<string>? keyFields = null)
{
    /// <summary>The policy applied.</summary>
    public AccessPolicy Policy { get; } = policy;

    /// <summary>
    /// Whether the policy keeps every field as stored (no projection, no mask): records are then served
    /// as PostgreSQL's text of them (<see cref="JsonbText"/>), with nothing to shape.
    /// </summary>
    public bool KeepsEveryField { get; } = policy.Fields is null && policy.Masks.Count == 0;

    /// <summary>Whether <see cref="Key"/> reads the record: only when a visible key field is masked.</summary>
    public bool MasksKey => keyFields?.Any(f => Policy.Allows(f) && Policy.Masks.ContainsKey(f)) == true;

    /// <summary>
    /// The key as this policy shows it (issue 13): each part (key fields joined by U+001F) shaped
    /// exactly like the field it comes from, the value read from <paramref name="record"/> (for a
    /// tombstone, the record as it was), so a hashed key equals the hashed field. Null — not shown —
    /// when a key field is not among the visible fields or is redacted: a key missing a part no
    /// longer names one row, and showing the other parts would leak fields the policy keeps back.
    /// </summary>
    public string? Key(string key, JsonElement? record)
    {
        // Without the key fields (a shaper of records only) only the owner's view may show a key.
        if (keyFields is null) return Policy.Fields is null && Policy.Masks.Count == 0 ? key : null;
        if (keyFields.All(f => Policy.Allows(f) && !Policy.Masks.ContainsKey(f))) return key;
        var parts = keyFields.Count == 1 ? [key] : key.Split(Ingestion.RecordShaper.KeySeparator);
        if (parts.Length != keyFields.Count) return null;
        for (var i = 0; i < parts.Length; i++)
        {
            var field = keyFields[i];
            if (!Policy.Allows(field)) return null;
            if (!Policy.Masks.TryGetValue(field, out var mask)) continue;
            var value = record is { ValueKind: JsonValueKind.Object } r && r.TryGetProperty(field, out var v) ? v : JsonSerializer.SerializeToElement(parts[i]);
            if (Masked(value, mask) is not { } shaped) return null;
            parts[i] = shaped;
        }
        return string.Join(Ingestion.RecordShaper.KeySeparator, parts);
    }

    /// <summary>Writes the visible, masked fields of <paramref name="record"/> as one JSON object.</summary>
    public void WriteJson(Utf8JsonWriter writer, JsonElement record)
    {
        writer.WriteStartObject();
        foreach (var p in record.EnumerateObject())
        {
            if (!Policy.Allows(p.Name)) continue;
            if (!Policy.Masks.TryGetValue(p.Name, out var mask)) { p.WriteTo(writer); continue; }
            writer.WritePropertyName(p.Name);
            if (Masked(p.Value, mask) is { } s) writer.WriteStringValue(s);
            else writer.WriteNullValue();
        }
        writer.WriteEndObject();
    }

    /// <summary>
    /// The CSV cell of <paramref name="field"/>: strings as they are, other JSON as its text, absent/null empty.
    /// A cell is text (open to formula neutralisation) when it holds a JSON string or a mask's output;
    /// numbers, booleans, objects and arrays are their JSON text and never text cells.
    /// </summary>
    public CsvValue Cell(JsonElement record, string field)
    {
        if (!Policy.Allows(field) || !record.TryGetProperty(field, out var value)) return default;
        if (Policy.Masks.TryGetValue(field, out var mask)) return CsvValue.Text(Masked(value, mask));
        return value.ValueKind switch
        {
            JsonValueKind.Null => default,
            JsonValueKind.String => CsvValue.Text(value.GetString()),
            _ => new CsvValue(value.GetRawText(), IsText: false),
        };
    }

    /// <summary>
    /// <see cref="WriteJson"/> over a record's <c>jsonb::text</c> bytes without building a document (issue 14):
    /// the members the policy shows and does not mask are copied as they are (jsonb's spaces dropped, see
    /// <see cref="JsonbText"/>); masked ones are written from the value's text, as <see cref="WriteJson"/>
    /// masks them (a string's value, any other value's JSON text as stored), so both write the same bytes.
    /// </summary>
    public void WriteJson(ReadOnlySpan<byte> record, IBufferWriter<byte> output)
    {
        var reader = new Utf8JsonReader(record);
        reader.Read();
        output.Write("{"u8);
        var first = true;
        Span<char> chars = stackalloc char[128];
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var nameStart = (int)reader.TokenStartIndex;
            var (allowed, mask) = Rule(ref reader, chars);
            reader.Read();
            var valueStart = (int)reader.TokenStartIndex;
            var kind = reader.TokenType;
            // A hashed string without escapes is hashed from its bytes as they stand (they are its UTF-8).
            var hashRaw = mask is { Kind: FieldMask.HashKind } && kind == JsonTokenType.String && !reader.ValueIsEscaped;
            var raw = hashRaw ? reader.ValueSpan : default;
            var text = !hashRaw && kind == JsonTokenType.String && mask is not null ? reader.GetString() : null;
            if (kind is JsonTokenType.StartObject or JsonTokenType.StartArray) reader.Skip();
            var valueEnd = (int)reader.BytesConsumed;
            if (!allowed) continue;
            if (!first) output.Write(","u8);
            first = false;
            if (mask is null)
            {
                JsonbText.AppendCompact(record[nameStart..valueEnd], output);
                continue;
            }
            JsonbText.AppendCompact(record[nameStart..valueStart], output);
            if (hashRaw)
            {
                WriteHash(raw, output);
                continue;
            }
            var masked = kind == JsonTokenType.Null ? null : Masked(text ?? Encoding.UTF8.GetString(record[valueStart..valueEnd]), mask);
            if (masked is null) output.Write("null"u8);
            else
            {
                output.Write("\""u8);
                output.Write(JsonEncodedText.Encode(masked, Common.MinimalJsonEncoder.Instance).EncodedUtf8Bytes);
                output.Write("\""u8);
            }
        }
        output.Write("}"u8);
    }

    // What the policy does with a member, by name: kept for the shaper's life (one request), so a page's
    // records look their names up without making a string of each (issue 14: masked pages of 1,000).
    readonly Dictionary<string, (bool Allowed, FieldMask? Mask)> _rules = new(StringComparer.Ordinal);

    (bool Allowed, FieldMask? Mask) Rule(ref Utf8JsonReader reader, scoped Span<char> chars)
    {
        if (!reader.ValueIsEscaped && reader.ValueSpan.Length <= chars.Length)
        {
            var n = Encoding.UTF8.GetChars(reader.ValueSpan, chars);
            if (_rules.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(chars[..n], out var known)) return known;
        }
        var name = reader.GetString()!;
        if (_rules.TryGetValue(name, out var rule)) return rule;
        rule = (Policy.Allows(name), Policy.Masks.TryGetValue(name, out var mask) ? mask : null);
        if (_rules.Count < 1024) _rules[name] = rule;
        return rule;
    }

    /// <summary>Writes the hash mask of a string given as its UTF-8 bytes: the JSON string of the HMAC's lowercase hex, as <see cref="Masked(string, FieldMask)"/> makes it.</summary>
    void WriteHash(ReadOnlySpan<byte> utf8, IBufferWriter<byte> output)
    {
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(hashKey, utf8, mac);
        var hex = output.GetSpan(2 + 2 * mac.Length);
        hex[0] = (byte)'"';
        for (var i = 0; i < mac.Length; i++)
        {
            hex[1 + 2 * i] = "0123456789abcdef"u8[mac[i] >> 4];
            hex[2 + 2 * i] = "0123456789abcdef"u8[mac[i] & 0xF];
        }
        hex[1 + 2 * mac.Length] = (byte)'"';
        output.Advance(2 + 2 * mac.Length);
    }

    string? Masked(JsonElement value, FieldMask mask) =>
        value.ValueKind == JsonValueKind.Null ? null : Masked(value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText(), mask);

    string? Masked(string text, FieldMask mask)
    {
        if (mask.Kind == FieldMask.Redact) return null;
        if (mask.Kind == FieldMask.Partial)
            return text.Length <= mask.KeepLast ? new string('*', text.Length) : new string('*', text.Length - mask.KeepLast) + text[^mask.KeepLast..];
        return Convert.ToHexStringLower(HMACSHA256.HashData(hashKey, Encoding.UTF8.GetBytes(text)));
    }
}
