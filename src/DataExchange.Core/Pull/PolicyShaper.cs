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
    /// <see cref="JsonbText"/>), each run of them in one piece; masked ones are written from the value's text, as
    /// <see cref="WriteJson"/> masks them (a string's value, any other value's JSON text as stored), so both
    /// write the same bytes.
    /// </summary>
    public void WriteJson(ReadOnlySpan<byte> record, IBufferWriter<byte> output)
    {
        var reader = new Utf8JsonReader(record);
        reader.Read();
        output.Write("{"u8);
        var first = true;
        // The members kept as they are since the last one dropped or masked: [runStart, runEnd) of the record.
        int runStart = -1, runEnd = 0;
        for (var position = 0; reader.Read() && reader.TokenType == JsonTokenType.PropertyName; position++)
        {
            var nameStart = (int)reader.TokenStartIndex;
            var (allowed, mask) = Rule(ref reader, position);
            reader.Read();
            var valueStart = (int)reader.TokenStartIndex;
            var kind = reader.TokenType;
            // A hashed string without escapes is hashed from its bytes as they stand (they are its UTF-8).
            var hashRaw = mask is { Kind: FieldMask.HashKind } && kind == JsonTokenType.String && !reader.ValueIsEscaped;
            var raw = hashRaw ? reader.ValueSpan : default;
            var text = !hashRaw && kind == JsonTokenType.String && mask is not null ? reader.GetString() : null;
            if (kind is JsonTokenType.StartObject or JsonTokenType.StartArray) reader.Skip();
            var valueEnd = (int)reader.BytesConsumed;
            if (allowed && mask is null)
            {
                if (runStart < 0) runStart = nameStart;
                runEnd = valueEnd;
                continue;
            }
            if (runStart >= 0) WriteMembers(record[runStart..runEnd], output, ref first);
            runStart = -1;
            if (!allowed) continue;
            WriteMembers(record[nameStart..valueStart], output, ref first);
            if (hashRaw)
            {
                WriteHash(raw, output);
                continue;
            }
            var masked = kind == JsonTokenType.Null ? null : Masked(text ?? Encoding.UTF8.GetString(record[valueStart..valueEnd]), mask!);
            if (masked is null) output.Write("null"u8);
            else
            {
                output.Write("\""u8);
                output.Write(JsonEncodedText.Encode(masked, Common.MinimalJsonEncoder.Instance).EncodedUtf8Bytes);
                output.Write("\""u8);
            }
        }
        if (runStart >= 0) WriteMembers(record[runStart..runEnd], output, ref first);
        output.Write("}"u8);
    }

    /// <summary>Writes members (or a member's name and colon) as they stand in jsonb's text, after a comma unless they come first.</summary>
    static void WriteMembers(ReadOnlySpan<byte> members, IBufferWriter<byte> output, ref bool first)
    {
        if (!first) output.Write(","u8);
        first = false;
        JsonbText.AppendCompact(members, output);
    }

    // What the policy does with a member, kept for the shaper's life (one request) so that a page's records do
    // not make a string of each name (issue 14): by the name's UTF-8 at each position (a dataset's records mostly
    // have the same members, and jsonb orders them), else by the name's characters.
    readonly Dictionary<string, (bool Allowed, FieldMask? Mask)> _rules = new(StringComparer.Ordinal);
    readonly List<(byte[] Name, bool Allowed, FieldMask? Mask)> _positions = [];

    (bool Allowed, FieldMask? Mask) Rule(ref Utf8JsonReader reader, int position)
    {
        var plain = !reader.ValueIsEscaped;
        if (plain && position < _positions.Count && _positions[position].Name.AsSpan().SequenceEqual(reader.ValueSpan))
            return (_positions[position].Allowed, _positions[position].Mask);
        var rule = Rule(ref reader);
        if (plain && position <= _positions.Count && position < 256)
        {
            var entry = (reader.ValueSpan.ToArray(), rule.Allowed, rule.Mask);
            if (position == _positions.Count) _positions.Add(entry);
            else _positions[position] = entry;
        }
        return rule;
    }

    (bool Allowed, FieldMask? Mask) Rule(ref Utf8JsonReader reader)
    {
        Span<char> chars = stackalloc char[128];
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
        Hmac(utf8, mac);
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

    // One HMAC context per thread for the mask key, reset after each value: the one-shot HMACSHA256.HashData
    // sets a context up per call, 2.4x the CPU of the hash itself on an 11-byte value (issue 14). Shaping never
    // awaits between appending a value and taking its hash, so a thread's context is never shared.
    [ThreadStatic] static IncrementalHash? t_hmac;
    [ThreadStatic] static byte[]? t_hmacKey;

    void Hmac(ReadOnlySpan<byte> utf8, Span<byte> mac)
    {
        if (t_hmac is null || !hashKey.AsSpan().SequenceEqual(t_hmacKey))
        {
            t_hmac?.Dispose();
            t_hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, hashKey);
            t_hmacKey = [.. hashKey];
        }
        t_hmac.AppendData(utf8);
        t_hmac.GetHashAndReset(mac);
    }

    string? Masked(JsonElement value, FieldMask mask) =>
        value.ValueKind == JsonValueKind.Null ? null : Masked(value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText(), mask);

    string? Masked(string text, FieldMask mask)
    {
        if (mask.Kind == FieldMask.Redact) return null;
        if (mask.Kind == FieldMask.Partial)
            return text.Length <= mask.KeepLast ? new string('*', text.Length) : new string('*', text.Length - mask.KeepLast) + text[^mask.KeepLast..];
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        Hmac(Encoding.UTF8.GetBytes(text), mac);
        return Convert.ToHexStringLower(mac);
    }
}
