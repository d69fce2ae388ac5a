using System.Text.Json;
using System.Text.Json.Nodes;
using DataExchange.Core.Datasets.Schemas;

namespace DataExchange.Core.Datasets.Compatibility;

/// <summary>
/// A schema with the shared components it references inlined, so that the compatibility diff, which follows
/// local references, follows references into components too: each component version it was compiled against
/// becomes a definition, and references to it (and, inside it, its own local references) point there.
/// </summary>
internal static class SchemaBundle
{
    const string Prefix = "dx-component-";

    public static JsonObject Of(DatasetSchema schema)
    {
        if (schema.Components.Count == 0) return schema.Document;
        var keys = schema.Components.Select((c, i) => (c.Uri, Key: Prefix + i)).ToDictionary(c => c.Uri, c => c.Key, StringComparer.Ordinal);
        var bundle = (JsonObject)Rewrite(schema.Document.DeepClone(), keys, local: null)!;
        var definitions = bundle["definitions"] as JsonObject ?? [];
        bundle["definitions"] = definitions;
        foreach (var c in schema.Components)
            definitions[keys[c.Uri]] = Rewrite(JsonNode.Parse(c.Text), keys, local: keys[c.Uri]);
        return bundle;
    }

    // References to a component become "#/definitions/<key>…"; inside a component, "#…" gets its key as prefix.
    static JsonNode? Rewrite(JsonNode? node, Dictionary<string, string> keys, string? local)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (name, value) in o.ToList())
                    if (name == "$ref" && value?.GetValueKind() == JsonValueKind.String) o[name] = Target(value.GetValue<string>(), keys, local);
                    else Rewrite(value, keys, local);
                break;
            case JsonArray a:
                foreach (var item in a) Rewrite(item, keys, local);
                break;
        }
        return node;
    }

    static string Target(string reference, Dictionary<string, string> keys, string? local)
    {
        if (reference.StartsWith('#'))
            return local is null || !(reference.Length == 1 || reference[1] == '/') ? reference : $"#/definitions/{local}{reference[1..]}";
        var hash = reference.IndexOf('#', StringComparison.Ordinal);
        var uri = SchemaUris.Normalize(hash < 0 ? reference : reference[..hash]);
        if (uri is null || !keys.TryGetValue(uri, out var key)) return reference;
        var fragment = hash < 0 ? "" : reference[(hash + 1)..];
        return fragment.Length == 0 || fragment[0] == '/' ? $"#/definitions/{key}{fragment}" : reference;
    }
}
