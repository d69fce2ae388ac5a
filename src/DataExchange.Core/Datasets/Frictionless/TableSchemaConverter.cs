using System.Text.Json;
using System.Text.Json.Nodes;
using DataExchange.Core.Common;

namespace DataExchange.Core.Datasets.Frictionless;

/// <summary>A Frictionless resource as the exchange registers it: a record schema, its key and the cell texts meaning "no value".</summary>
public sealed record ConvertedSchema(JsonObject Schema, IReadOnlyList<string> KeyFields, IReadOnlyList<string> MissingValues);

/// <summary>
/// Converts a Frictionless Data Package resource's Table Schema into a draft-07 record schema the
/// vetter accepts: closed content model, one property per field, constraints mapped to keywords,
/// optional fields nullable, key fields required.
/// </summary>
public static class TableSchemaConverter
{
    /// <summary>
    /// Converts the resource named <paramref name="resourceName"/> (default: the first) of
    /// <paramref name="dataPackage"/>. <paramref name="keyFields"/> is used when the package names
    /// no primary key (many published packages, e.g. population, do not).
    /// </summary>
    public static ConvertedSchema Convert(JsonObject dataPackage, string? resourceName = null, IReadOnlyList<string>? keyFields = null)
    {
        var resources = dataPackage["resources"] as JsonArray ?? throw Invalid("/resources", "The data package has no resources.");
        var resource = (resourceName is null ? resources.FirstOrDefault() : resources.FirstOrDefault(r => r?["name"]?.ToString() == resourceName)) as JsonObject
            ?? throw Invalid("/resources", $"No resource named '{resourceName}'.");
        var table = resource["schema"] as JsonObject ?? throw Invalid("/resources/schema", "The resource has no inline Table Schema.");
        var fields = table["fields"] as JsonArray ?? throw Invalid("/resources/schema/fields", "The Table Schema has no fields.");
        // primaryKey belongs in the Table Schema; some packages (world-cities) put it on the resource.
        var keys = Names(table["primaryKey"] ?? resource["primaryKey"]) is { Count: > 0 } declared ? declared
            : keyFields is { Count: > 0 } ? keyFields
            : throw Invalid("/resources/schema/primaryKey", "The resource declares no primaryKey; name the key fields.");
        var missingValues = Names(table["missingValues"]) is { Count: > 0 } mv ? mv : [""];

        var properties = new JsonObject();
        var required = new JsonArray();
        foreach (var field in fields.OfType<JsonObject>())
        {
            var name = field["name"]?.ToString() ?? throw Invalid("/resources/schema/fields", "Every field needs a name.");
            var constraints = field["constraints"] as JsonObject ?? [];
            var isRequired = keys.Contains(name) || constraints["required"]?.GetValueKind() == JsonValueKind.True;
            properties[name] = Property(field, constraints, nullable: !isRequired);
            if (isRequired) required.Add(name);
        }
        var unknown = keys.Where(k => properties[k] is null).ToList();
        if (unknown.Count > 0) throw Invalid("/resources/schema/primaryKey", $"Key fields not in the schema: {string.Join(", ", unknown)}.");

        var schema = new JsonObject
        {
            ["$schema"] = "http://json-schema.org/draft-07/schema#",
            ["title"] = resource["title"]?.ToString() ?? resource["name"]?.ToString() ?? dataPackage["name"]?.ToString() ?? "",
            ["type"] = "object",
            ["properties"] = properties,
            ["required"] = required,
            ["additionalProperties"] = false,
        };
        return new ConvertedSchema(schema, keys, missingValues);
    }

    static JsonObject Property(JsonObject field, JsonObject constraints, bool nullable)
    {
        var (type, format, pattern) = MapType(field);
        var p = new JsonObject();
        if (field["description"] is { } description) p["description"] = description.ToString();
        if (type is not null) p["type"] = nullable ? new JsonArray(type, "null") : type;
        if (format is not null) p["format"] = format;
        if (pattern is not null) p["pattern"] = pattern;
        foreach (var (name, value) in constraints)
        {
            switch (name)
            {
                case "minLength" or "maxLength" when type is "string":
                case "minimum" or "maximum" when type is "integer" or "number":
                    p[name] = value?.DeepClone();
                    break;
                // Table Schema patterns are XML Schema regexes, implicitly anchored.
                case "pattern" when type is "string" && pattern is null:
                    p["pattern"] = $"^(?:{value})$";
                    break;
                case "pattern" when type is "string":
                    p["allOf"] = new JsonArray(new JsonObject { ["pattern"] = $"^(?:{value})$" });
                    break;
                case "enum" when value is JsonArray values:
                    var list = new JsonArray([.. values.Select(v => v?.DeepClone())]);
                    if (nullable) list.Add(null);
                    p["enum"] = list;
                    break;
            }
        }
        return p;
    }

    static (string? Type, string? Format, string? Pattern) MapType(JsonObject field) => (field["type"]?.ToString() ?? "string") switch
    {
        "integer" or "year" => ("integer", null, null),
        "number" => ("number", null, null),
        "boolean" => ("boolean", null, null),
        "date" => ("string", "date", null),
        "datetime" => ("string", "date-time", null),
        "time" => ("string", null, "^[0-2][0-9]:[0-5][0-9]:[0-6][0-9](\\.[0-9]+)?$"),
        "yearmonth" => ("string", null, "^[0-9]{4}-(0[1-9]|1[0-2])$"),
        "object" => ("object", null, null),
        "array" => ("array", null, null),
        "any" => (null, null, null),
        // string, duration, geopoint, geojson: text; string formats the exchange knows are kept.
        _ => ("string", field["format"]?.ToString() is "email" or "uri" or "uuid" ? field["format"]!.ToString() : null, null),
    };

    static List<string> Names(JsonNode? node) => node switch
    {
        JsonArray list => [.. list.Select(n => n?.ToString() ?? "")],
        JsonValue v when v.GetValueKind() == JsonValueKind.String => [v.GetValue<string>()],
        _ => [],
    };

    static InvalidException Invalid(string pointer, string message) => new("invalid-table-schema", message, [new ProblemItem(pointer, "invalid-table-schema", message)]);
}
