using System.Text.Json;
using System.Text.Json.Nodes;

namespace DataExchange.Core.Pull;

/// <summary>
/// Translates a record schema's property (JSON Schema draft-07 or 2020-12, components bundled as local
/// definitions) into an OpenAPI 3.0 Schema Object for client generators (issue 17): the keywords that type a
/// value and that 3.0 can say — type (a type list becomes one type plus <c>nullable</c>), format, enum and
/// const, string, number and array bounds, nested properties and items, descriptions — with local
/// <c>$ref</c>s resolved inline. Anything else (anyOf, oneOf, conditionals, several non-null types) leaves
/// the value untyped rather than typed wrongly: a generated client must accept every value the exchange serves.
/// </summary>
public static class OpenApiSchemas
{
    // A nesting deep enough for real records; recursive definitions stop here as untyped values.
    const int MaxDepth = 12;

    static readonly string[] Copied = ["title", "description", "format", "pattern", "minLength", "maxLength", "minimum", "maximum", "multipleOf", "minItems", "maxItems", "uniqueItems"];

    /// <summary>The OpenAPI 3.0 schema of <paramref name="schema"/>, a subschema of <paramref name="root"/> (which local references resolve in).</summary>
    public static JsonObject Translate(JsonNode? schema, JsonObject root) => Translate(schema, root, 0);

    static JsonObject Translate(JsonNode? schema, JsonObject root, int depth)
    {
        if (schema is not JsonObject s || depth > MaxDepth) return [];
        if (s["$ref"]?.GetValueKind() == JsonValueKind.String)
            return Resolve(s["$ref"]!.GetValue<string>(), root) is { } target ? Translate(target, root, depth + 1) : [];
        var result = new JsonObject();
        var (type, nullable) = TypeOf(s["type"]);
        if (s["anyOf"] is not null || s["oneOf"] is not null || s["if"] is not null || s["not"] is not null) type = null;
        if (type is not null) result["type"] = type;
        foreach (var name in Copied)
            if (s[name] is { } value && Fits(name, value, type)) result[name] = value.DeepClone();
        // draft-07 and 2020-12 write an exclusive bound as a number; 3.0 as a flag on minimum/maximum.
        foreach (var (exclusive, bound) in new[] { ("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum") })
            if (s[exclusive] is JsonValue v && v.GetValueKind() == JsonValueKind.Number && type is "number" or "integer")
                (result[bound], result[exclusive]) = (v.DeepClone(), true);
        var values = s["enum"] is JsonArray list ? list.ToList() : s.ContainsKey("const") ? [s["const"]] : null;
        if (values is not null && type is not null && values.All(e => e is null || Fits(type, e)))
        {
            if (values.Any(e => e is null)) nullable = true;
            var kept = values.Where(e => e is not null).Select(e => e!.DeepClone()).ToList();
            if (kept.Count > 0) result["enum"] = new JsonArray([.. kept]);
        }
        if (type == "object" || (type is null && s["properties"] is JsonObject))
        {
            if (s["properties"] is JsonObject properties)
            {
                result["properties"] = new JsonObject([.. properties.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)Translate(p.Value, root, depth + 1)))]);
                if (s["required"] is JsonArray required)
                {
                    var names = required.Select(r => r?.GetValueKind() == JsonValueKind.String ? r.GetValue<string>() : null).OfType<string>().Where(properties.ContainsKey).Distinct().ToList();
                    if (names.Count > 0) result["required"] = new JsonArray([.. names.Select(n => JsonValue.Create(n))]);
                }
            }
            if (s["additionalProperties"] is JsonObject additional) result["additionalProperties"] = Translate(additional, root, depth + 1);
        }
        if (type == "array") result["items"] = s["items"] is JsonObject items ? Translate(items, root, depth + 1) : new JsonObject();
        // Record integers are as wide as JSON allows; a generator's default int32 would overflow on them.
        if (type == "integer" && result["format"] is null) result["format"] = "int64";
        if (nullable) result["nullable"] = true;
        return result;
    }

    /// <summary>One type and whether null is allowed: <c>["string","null"]</c> is a nullable string; several non-null types are none.</summary>
    static (string? Type, bool Nullable) TypeOf(JsonNode? type)
    {
        if (type?.GetValueKind() == JsonValueKind.String) return type.GetValue<string>() == "null" ? (null, true) : (type.GetValue<string>(), false);
        if (type is not JsonArray types) return (null, false);
        var names = types.Where(t => t?.GetValueKind() == JsonValueKind.String).Select(t => t!.GetValue<string>()).ToList();
        var nonNull = names.Where(n => n != "null").Distinct().ToList();
        return (nonNull.Count == 1 ? nonNull[0] : null, names.Contains("null"));
    }

    /// <summary>Whether <paramref name="value"/> may stand as keyword <paramref name="keyword"/> (or as an enum value of <paramref name="keyword"/> the type).</summary>
    static bool Fits(string keyword, JsonNode value, string? type) => keyword switch
    {
        "title" or "description" or "pattern" => value.GetValueKind() == JsonValueKind.String,
        "format" => value.GetValueKind() == JsonValueKind.String && type is "string" or "integer" or "number",
        "minLength" or "maxLength" => type == "string" && IsCount(value),
        "minItems" or "maxItems" => type == "array" && IsCount(value),
        "uniqueItems" => type == "array" && value.GetValueKind() is JsonValueKind.True or JsonValueKind.False,
        _ => type is "number" or "integer" && value.GetValueKind() == JsonValueKind.Number,
    };

    static bool Fits(string type, JsonNode value) => (type, value.GetValueKind()) switch
    {
        ("string", JsonValueKind.String) => true,
        ("integer" or "number", JsonValueKind.Number) => true,
        ("boolean", JsonValueKind.True or JsonValueKind.False) => true,
        _ => false,
    };

    static bool IsCount(JsonNode value) => value is JsonValue v && v.TryGetValue(out long n) && n >= 0;

    /// <summary>A local reference (<c>#/definitions/x</c>, <c>#/$defs/x</c>, any JSON Pointer in the document), or null.</summary>
    static JsonNode? Resolve(string reference, JsonObject root)
    {
        if (!reference.StartsWith('#')) return null;
        JsonNode? node = root;
        foreach (var raw in reference[1..].Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var token = Uri.UnescapeDataString(raw).Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            node = node switch
            {
                JsonObject o => o[token],
                JsonArray a when int.TryParse(token, out var i) && i >= 0 && i < a.Count => a[i],
                _ => null,
            };
            if (node is null) return null;
        }
        return node;
    }
}
