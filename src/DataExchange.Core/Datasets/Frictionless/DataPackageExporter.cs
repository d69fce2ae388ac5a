using System.Globalization;
using System.Text.Json.Nodes;

namespace DataExchange.Core.Datasets.Frictionless;

/// <summary>
/// A dataset version as a Frictionless data package (issue 17): the inverse of <see cref="TableSchemaConverter"/>.
/// One tabular resource, the version's CSV (<c>records.csv?version=n</c>), whose Table Schema is the record
/// schema's properties as fields (type, format, required, length, range, enum, pattern) with the key fields as
/// primary key; a record schema keyword a Table Schema cannot say is left out.
/// </summary>
public static class DataPackageExporter
{
    /// <summary>The datapackage.json of <paramref name="dataset"/> at <paramref name="version"/> with record schema <paramref name="schema"/>.</summary>
    public static JsonObject Export(Dataset dataset, int version, JsonObject schema, string csvUrl)
    {
        var required = schema["required"]?.AsArray().Select(r => r!.ToString()).ToHashSet(StringComparer.Ordinal) ?? [];
        var fields = new JsonArray();
        foreach (var (name, property) in schema["properties"]?.AsObject() ?? [])
            fields.Add(Field(name, property as JsonObject ?? [], required.Contains(name)));
        var package = new JsonObject
        {
            ["profile"] = "tabular-data-package",
            ["name"] = dataset.Id,
            ["title"] = dataset.Title,
            ["description"] = dataset.Description,
            ["version"] = version.ToString(CultureInfo.InvariantCulture),
            ["keywords"] = new JsonArray([.. dataset.Tags.Select(t => (JsonNode?)JsonValue.Create(t))]),
            ["resources"] = new JsonArray(new JsonObject
            {
                ["name"] = dataset.Id, ["path"] = csvUrl, ["profile"] = "tabular-data-resource", ["format"] = "csv", ["mediatype"] = "text/csv", ["encoding"] = "utf-8",
                ["schema"] = new JsonObject { ["fields"] = fields, ["primaryKey"] = new JsonArray([.. dataset.KeyFields.Select(k => (JsonNode?)JsonValue.Create(k))]), ["missingValues"] = new JsonArray("") },
            }),
        };
        if (dataset.Metadata?.Licence is { } licence) package["licenses"] = new JsonArray(new JsonObject { ["path"] = licence, ["name"] = licence.TrimEnd('/').Split('/')[^1] });
        return package;
    }

    static JsonObject Field(string name, JsonObject property, bool required)
    {
        var type = property["type"] is JsonArray types ? types.Select(t => t!.ToString()).FirstOrDefault(t => t != "null") : property["type"]?.ToString();
        var format = property["format"]?.ToString();
        var field = new JsonObject { ["name"] = name };
        (field["type"], field["format"]) = (type, format) switch
        {
            ("integer", _) => ("integer", null),
            ("number", _) => ("number", null),
            ("boolean", _) => ("boolean", null),
            ("object", _) => ("object", null),
            ("array", _) => ("array", null),
            ("string", "date") => ("date", null),
            ("string", "date-time") => ("datetime", null),
            ("string", "email" or "uri" or "uuid") => ("string", format),
            ("string", _) => ("string", null),
            _ => ((JsonNode?)"any", (JsonNode?)null),
        };
        if (field["format"] is null) field.Remove("format");
        if (property["description"] is { } description) field["description"] = description.ToString();
        var constraints = new JsonObject();
        if (required) constraints["required"] = true;
        foreach (var keyword in new[] { "minLength", "maxLength", "minimum", "maximum" })
            if (property[keyword] is { } value) constraints[keyword] = value.DeepClone();
        if (property["enum"] is JsonArray values) constraints["enum"] = new JsonArray([.. values.Where(v => v is not null).Select(v => v!.DeepClone())]);
        // The importer anchors Table Schema patterns as ^(?:…)$; an exported pattern drops that again.
        if (property["pattern"]?.ToString() is { } pattern)
            constraints["pattern"] = pattern.StartsWith("^(?:", StringComparison.Ordinal) && pattern.EndsWith(")$", StringComparison.Ordinal) ? pattern[4..^2] : pattern.TrimStart('^').TrimEnd('$');
        if (constraints.Count > 0) field["constraints"] = constraints;
        return field;
    }
}
