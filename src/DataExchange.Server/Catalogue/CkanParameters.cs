using System.Globalization;
using System.Text.Json.Nodes;
using DataExchange.Core.Common;

namespace DataExchange.Server.Catalogue;

/// <summary>An action's parameters as CKAN takes them: the query string, or a POSTed JSON object (values may then be JSON).</summary>
public sealed class CkanParameters(Dictionary<string, JsonNode?> values)
{
    /// <summary>Reads the query string, then a JSON object body over it.</summary>
    public static async Task<CkanParameters> ReadAsync(HttpRequest request, CancellationToken ct)
    {
        var values = request.Query.ToDictionary(q => q.Key, q => (JsonNode?)JsonValue.Create(q.Value.ToString()), StringComparer.Ordinal);
        if (HttpMethods.IsPost(request.Method) && request.ContentLength is > 0 or null && request.HasJsonContentType())
            if (await JsonNode.ParseAsync(request.Body, cancellationToken: ct) is JsonObject body)
                foreach (var (key, value) in body) values[key] = value?.DeepClone();
        return new CkanParameters(values);
    }

    /// <summary>A text parameter.</summary>
    public string? Text(string name) => values.GetValueOrDefault(name)?.ToString() is { Length: > 0 } s ? s : null;

    /// <summary>An integer parameter; 409 when it is not one.</summary>
    public int? Int(string name) => Text(name) is not { } s ? null
        : int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) ? i
        : throw new InvalidException("invalid-integer", $"{name} must be an integer.", [new("/" + name, "type", "Invalid integer")]);

    /// <summary>A boolean parameter (true/false, as CKAN's clients send it).</summary>
    public bool? Bool(string name) => Text(name)?.ToLowerInvariant() switch
    {
        null => null,
        "true" or "1" or "yes" => true,
        "false" or "0" or "no" => false,
        _ => throw new InvalidException("invalid-boolean", $"{name} must be true or false.", [new("/" + name, "type", "Invalid boolean")]),
    };

    /// <summary>The raw JSON of a parameter (a JSON text in a query string is parsed).</summary>
    public JsonNode? Node(string name) => values.GetValueOrDefault(name) switch
    {
        JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.String && v.GetValue<string>().TrimStart() is ['{' or '[', ..] text => JsonNode.Parse(text),
        var other => other,
    };

    /// <summary>A JSON object parameter (filters).</summary>
    public JsonObject? Object(string name) => Node(name) switch
    {
        null => null,
        JsonObject o => o,
        _ => throw new InvalidException("invalid-object", $"{name} must be a JSON object.", [new("/" + name, "type", "Give a JSON object")]),
    };

    /// <summary>A list parameter: a JSON array, or comma-separated text.</summary>
    public IReadOnlyList<string>? List(string name) => Node(name) switch
    {
        null => null,
        JsonArray a => [.. a.Select(v => v!.ToString())],
        var v => [.. v.ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)],
    };
}
