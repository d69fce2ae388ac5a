using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using DataExchange.Core.Datasets.Schemas;

namespace DataExchange.Core.Common;

/// <summary>
/// The exchange's own documents (dataset manifest, feed definition…) are checked against the JSON
/// Schemas published in <c>schemas/</c>, with the same evaluator that checks records, so the
/// published schema and the enforced rules cannot drift apart.
/// </summary>
public static class DocumentSchemas
{
    /// <summary>schemas/dataset-manifest.schema.json.</summary>
    public const string DatasetManifest = "dataset-manifest";

    /// <summary>schemas/feed-definition.schema.json.</summary>
    public const string FeedDefinition = "feed-definition";

    /// <summary>schemas/access-policy.schema.json: the policy of an approval or auto-approval.</summary>
    public const string AccessPolicy = "access-policy";

    /// <summary>schemas/audit-export-record.schema.json: one line of an NDJSON audit export.</summary>
    public const string AuditExportRecord = "audit-export-record";

    /// <summary>
    /// A dataset's DCAT metadata as a steward replaces it (issue 17): the manifest's <c>tags</c> and <c>metadata</c>
    /// members, both required. Derived from dataset-manifest.schema.json rather than published beside it, so the
    /// registration and the update cannot accept different metadata.
    /// </summary>
    public const string DatasetMetadataUpdate = "dataset-metadata-update";

    static readonly ConcurrentDictionary<string, DatasetSchema> Loaded = new(StringComparer.Ordinal);

    /// <summary>Throws <see cref="InvalidException"/> listing every violation of every (schema, document, pointer prefix) given.</summary>
    public static void Validate(params (string Name, object? Document, string At)[] documents)
    {
        var problems = documents.Where(d => d.Document is not null).SelectMany(d => Errors(d.Name, d.Document!, d.At)).ToList();
        if (problems.Count > 0)
            throw new InvalidException("invalid-request", $"The request does not follow {string.Join(" and ", documents.Select(d => d.Name + ".schema.json"))}.", problems);
    }

    /// <summary>The violations of <paramref name="document"/>, pointers prefixed with <paramref name="at"/>.</summary>
    public static IEnumerable<ProblemItem> Errors(string name, object document, string at = "")
    {
        var node = document as JsonNode ?? JsonSerializer.SerializeToNode(document, document.GetType(), Json.Options);
        return Get(name).Validate(JsonElement.Parse(node?.ToJsonString() ?? "null")).Select(e => new ProblemItem(at + e.Pointer, e.Code, e.Message));
    }

    /// <summary>The text of schemas/<paramref name="name"/>.schema.json, as published (the OpenAPI document types its bodies from it).</summary>
    public static string Text(string name)
    {
        if (name == DatasetMetadataUpdate) return MetadataUpdateText();
        using var stream = typeof(DocumentSchemas).Assembly.GetManifestResourceStream($"schemas.{name}.schema.json")
            ?? throw new InvalidOperationException($"Schema {name} is not embedded.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    static string MetadataUpdateText()
    {
        var manifest = JsonNode.Parse(Text(DatasetManifest))!;
        return new JsonObject
        {
            ["$schema"] = manifest["$schema"]!.DeepClone(),
            ["title"] = "Dataset metadata",
            ["description"] = "A dataset's keywords (tags) and DCAT-AP metadata, replaced as a whole: the members of the same names in dataset-manifest.schema.json.",
            ["type"] = "object",
            ["additionalProperties"] = false,
            ["required"] = new JsonArray("tags", "metadata"),
            ["properties"] = new JsonObject
            {
                ["tags"] = manifest["properties"]!["tags"]!.DeepClone(),
                ["metadata"] = manifest["properties"]!["metadata"]!.DeepClone(),
            },
        }.ToJsonString();
    }

    static DatasetSchema Get(string name) => Loaded.GetOrAdd(name, static n => DatasetSchema.LoadAny(Text(n)));
}
