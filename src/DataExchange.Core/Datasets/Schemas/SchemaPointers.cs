using System.Text.Json.Nodes;

namespace DataExchange.Core.Datasets.Schemas;

/// <summary>JSON Pointers (RFC 6901) into a schema document, and the URI-fragment form $ref uses.</summary>
internal static class SchemaPointers
{
    public static string Escape(string token) => token.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

    public static string Unescape(string token) => token.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);

    /// <summary>"#/definitions/a%25b" → "/definitions/a%b"; null when the reference is not a local pointer.</summary>
    public static string? TryFromFragment(string reference)
    {
        if (!reference.StartsWith('#')) return null;
        var fragment = Uri.UnescapeDataString(reference[1..]);
        return fragment.Length == 0 || fragment.StartsWith('/') ? fragment : null;
    }

    public static string FromFragment(string reference) => TryFromFragment(reference) ?? throw new ArgumentException($"Not a local pointer: {reference}", nameof(reference));

    /// <summary>The node at <paramref name="pointer"/>; <paramref name="found"/> is false when nothing is there.</summary>
    public static JsonNode? Find(JsonNode root, string pointer, out bool found)
    {
        JsonNode? current = root;
        found = true;
        foreach (var raw in pointer.Split('/').Skip(1))
        {
            var token = Unescape(raw);
            switch (current)
            {
                case JsonObject o when o.TryGetPropertyValue(token, out var next):
                    current = next;
                    break;
                case JsonArray a when int.TryParse(token, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var i) && i < a.Count:
                    current = a[i];
                    break;
                default:
                    found = false;
                    return null;
            }
        }
        return current;
    }

    public static JsonNode? Find(JsonNode root, string pointer) => Find(root, pointer, out _);
}
