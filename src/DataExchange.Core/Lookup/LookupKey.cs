using System.Text.Json;
using System.Text.Json.Nodes;
using DataExchange.Core.Common;
using DataExchange.Core.Ingestion;

namespace DataExchange.Core.Lookup;

/// <summary>
/// A record's key as a lookup names it: the raw values of the dataset's key fields, in key order, exactly
/// as the exchange stores them (a number in its canonical text, e.g. <c>131</c>). In a URL path segment
/// (<c>GET …/records/{key}</c>) the parts are each percent-encoded and joined by <c>,</c> — a literal comma
/// separates, <c>%2C</c> is a comma inside a part — so any value, also one with <c>/</c>, <c>,</c> or
/// non-ASCII characters, has exactly one spelling; a single-field key is the whole segment. In a query
/// (the subject report) each part is one <c>key=</c> parameter, in key order. In a JSON body a key is a
/// string, or an array of strings for a composite key.
/// </summary>
public sealed record LookupKey(IReadOnlyList<string> Parts)
{
    /// <summary>The key as stored in dx.records: the parts joined by U+001F.</summary>
    public string Stored { get; } = string.Join(RecordShaper.KeySeparator, Parts);

    /// <summary>The key as a path segment: each part percent-encoded, joined by <c>,</c>.</summary>
    public string Segment => string.Join(',', Parts.Select(Uri.EscapeDataString));

    /// <summary>The key of <paramref name="keyFieldCount"/> parts in a raw (still percent-encoded) segment, or null when it has another number of parts.</summary>
    public static LookupKey? FromSegment(string raw, int keyFieldCount)
    {
        var parts = keyFieldCount == 1 ? [raw] : raw.Split(',');
        return parts.Length == keyFieldCount ? Checked([.. parts.Select(Uri.UnescapeDataString)]) : null;
    }

    /// <summary>The key of <paramref name="parts"/> (decoded values in key order), or null when there are not <paramref name="keyFieldCount"/> of them.</summary>
    public static LookupKey? FromParts(IReadOnlyList<string> parts, int keyFieldCount) => parts.Count == keyFieldCount ? Checked([.. parts]) : null;

    /// <summary>The key in a JSON body (a string, or an array of strings in key order), or null when it is not one of <paramref name="keyFieldCount"/> parts.</summary>
    public static LookupKey? FromJson(JsonNode? node, int keyFieldCount)
    {
        string[]? parts = node switch
        {
            JsonValue v when v.GetValueKind() == JsonValueKind.String => [v.GetValue<string>()],
            JsonArray a when a.All(p => p?.GetValueKind() == JsonValueKind.String) => [.. a.Select(p => p!.GetValue<string>())],
            _ => null,
        };
        return parts?.Length == keyFieldCount ? Checked(parts) : null;
    }

    /// <summary>The problem of a key that is not one, at <paramref name="pointer"/>.</summary>
    public static ProblemItem Problem(string pointer, IReadOnlyList<string> keyFields) => new(pointer, "invalid-key", keyFields.Count == 1
        ? $"The key is the value of {keyFields[0]}, a string of at most {RecordShaper.MaxKeyBytes} bytes."
        : $"The key has {keyFields.Count} parts, the values of {string.Join(", ", keyFields)} in this order: in a path each percent-encoded and joined by ',', in JSON an array of strings.");

    // A part holding the separator would name another key; one past the longest stored key names none.
    static LookupKey? Checked(string[] parts)
    {
        var key = new LookupKey(parts);
        return parts.Any(p => p.Contains(RecordShaper.KeySeparator, StringComparison.Ordinal)) || RecordShaper.IsTooLong(key.Stored) ? null : key;
    }
}
