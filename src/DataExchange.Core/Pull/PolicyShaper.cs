using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DataExchange.Core.Subscriptions;

namespace DataExchange.Core.Pull;

/// <summary>Applies a policy's projection and masks to one stored record on the way out.</summary>
public sealed class PolicyShaper(AccessPolicy policy, byte[] hashKey)
{
    /// <summary>The policy applied.</summary>
    public AccessPolicy Policy { get; } = policy;

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

    string? Masked(JsonElement value, FieldMask mask)
    {
        if (value.ValueKind == JsonValueKind.Null || mask.Kind == FieldMask.Redact) return null;
        var text = value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
        if (mask.Kind == FieldMask.Partial)
            return text.Length <= mask.KeepLast ? new string('*', text.Length) : new string('*', text.Length - mask.KeepLast) + text[^mask.KeepLast..];
        return Convert.ToHexStringLower(HMACSHA256.HashData(hashKey, Encoding.UTF8.GetBytes(text)));
    }
}
