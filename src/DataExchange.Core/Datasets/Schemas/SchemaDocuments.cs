using System.Text.Json;
using System.Text.Json.Nodes;
using DataExchange.Core.Common;

namespace DataExchange.Core.Datasets.Schemas;

/// <summary>
/// The documents one compilation reads: the registered schema and the shared components it references.
/// Walks each once, vetting every keyword against its draft (<see cref="SchemaVetter"/>) and indexing the
/// schema resources ($id), anchors ($anchor, $dynamicAnchor, draft-07 "#name" ids) and base URIs that
/// $ref and $dynamicRef resolve against. Only subschemas are walked: an "$id" inside an enum value or an
/// annotation is data, not an identifier.
/// </summary>
internal sealed partial class SchemaDocuments(ISchemaComponents components, List<ProblemItem> problems)
{
    readonly Dictionary<string, SchemaResource> _resources = new(StringComparer.Ordinal);
    readonly Dictionary<JsonNode, NodeInfo> _info = new(ReferenceEqualityComparer.Instance);
    readonly HashSet<string> _missing = new(StringComparer.Ordinal);

    /// <summary>The components the schema reached, at the versions used.</summary>
    public List<SchemaComponent> Used { get; } = [];

    public IEnumerable<SchemaResource> Resources => _resources.Values;

    /// <summary>Walks the registered document (a schema without $schema is draft-07).</summary>
    public void AddMain(JsonNode root) => AddDocument(root, SchemaUris.DocumentBase, "", SchemaDialect.Draft7);

    void AddDocument(JsonNode root, string uri, string location, SchemaDialect fallback)
    {
        var dialect = root is JsonObject o && o.TryGetPropertyValue("$schema", out var declared) ? DialectOf(declared, location + "/$schema") ?? fallback : fallback;
        var resource = new SchemaResource(uri, root, dialect, location);
        _resources[uri] = resource;
        Walk(root, "", uri, resource, dialect, 0);
    }

    public NodeInfo? InfoOf(JsonNode node) => _info.TryGetValue(node, out var info) ? info : null;

    /// <summary>The dialect a $schema value names: a standard draft, or a registered 2020-12 metaschema's vocabularies.</summary>
    SchemaDialect? DialectOf(JsonNode? value, string at)
    {
        if (value?.GetValueKind() != JsonValueKind.String)
        {
            problems.Add(new(at, "invalid-keyword-value", "$schema must be a URI."));
            return null;
        }
        var uri = value.GetValue<string>();
        if (SchemaDialect.Standard(uri) is { } standard) return standard;
        if (SchemaUris.Normalize(uri) is { } key && components.Find(key) is { } meta
            && JsonNode.Parse(meta.Text) is JsonObject metaschema && SchemaDialect.Standard(metaschema["$schema"]?.ToString() ?? "") == SchemaDialect.Draft202012
            && metaschema["$vocabulary"] is JsonObject vocabulary && vocabulary.All(v => v.Value?.GetValueKind() is JsonValueKind.True or JsonValueKind.False))
        {
            var dialect = SchemaDialect.FromVocabulary(vocabulary.Select(v => KeyValuePair.Create(v.Key, v.Value!.GetValue<bool>())), out var unknown);
            if (dialect is null) problems.Add(new(at, "vocabulary-not-supported", $"The metaschema requires the vocabulary {unknown}, which the exchange does not know."));
            else Used.Add(meta);
            return dialect;
        }
        problems.Add(new(at, "draft-not-supported",
            $"'{uri}' is not a draft the exchange evaluates; use {SchemaDialect.Draft7Uri}# or {SchemaDialect.Draft202012Uri} (no $schema means draft-07)."));
        return null;
    }

    void Walk(JsonNode? node, string pointer, string baseUri, SchemaResource resource, SchemaDialect dialect, int depth)
    {
        var at = resource.Location + pointer;
        if (node is not null && _info.ContainsKey(node)) return;
        if (depth > SchemaVetter.MaxDepth)
        {
            problems.Add(new(at, "schema-too-deep", $"The schema nests deeper than {SchemaVetter.MaxDepth} levels."));
            return;
        }
        if (node is null || node.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False or JsonValueKind.Object))
        {
            problems.Add(new(at, "not-a-schema", "A schema must be an object or a boolean."));
            return;
        }
        if (node is not JsonObject obj)
        {
            _info[node] = new NodeInfo(baseUri, resource, dialect, at);
            return;
        }
        if (pointer.Length > 0 && obj.TryGetPropertyValue("$schema", out var nested) && DialectOf(nested, at + "/$schema") is { } other && other.Draft != dialect.Draft)
            problems.Add(new(at + "/$schema", "mixed-drafts", $"This subschema names {other.Name} inside a {dialect.Name} schema; register it as a shared component and $ref it."));
        var refOnly = dialect.Draft == SchemaDraft.Draft7 && obj.ContainsKey("$ref");
        if (!refOnly) (baseUri, resource) = Identify(obj, at, baseUri, resource, dialect);
        _info[obj] = new NodeInfo(baseUri, resource, dialect, at);
        foreach (var (keyword, value) in obj)
        {
            var child = at + "/" + SchemaPointers.Escape(keyword);
            // Draft-07: "All other properties in a "$ref" object MUST be ignored"; definitions beside it are still targets.
            if (refOnly && keyword is not ("$ref" or "definitions")) continue;
            if (dialect.Active.Contains(keyword))
            {
                SchemaVetter.VetKeyword(keyword, value, child, dialect, pointer.Length == 0, problems);
                foreach (var (suffix, sub) in SchemaVetter.Subschemas(keyword, value, dialect))
                    Walk(sub, pointer + "/" + SchemaPointers.Escape(keyword) + suffix, baseUri, resource, dialect, depth + 1);
            }
            else if (!dialect.Inert.Contains(keyword))
                problems.Add(new(child, "keyword-not-enforced",
                    $"The keyword '{keyword}' means nothing the exchange enforces in {dialect.Name}, so it is refused rather than ignored.{SchemaVetter.Suggestion(keyword, dialect)}"));
        }
    }

    /// <summary>The base URI and resource of <paramref name="obj"/>: a new resource where it has an $id; anchors recorded.</summary>
    (string, SchemaResource) Identify(JsonObject obj, string at, string baseUri, SchemaResource resource, SchemaDialect dialect)
    {
        if (obj["$id"] is { } idNode && idNode.GetValueKind() == JsonValueKind.String)
        {
            var id = idNode.GetValue<string>();
            var fragment = SchemaUris.Fragment(id);
            if (dialect.Draft == SchemaDraft.Draft7 && id.StartsWith('#'))
                resource.Anchors[fragment!] = obj;
            else if (SchemaUris.Resolve(baseUri, id) is { } uri && !(dialect.Draft == SchemaDraft.Draft202012 && fragment is { Length: > 0 }))
            {
                if (!ReferenceEquals(resource.Root, obj))
                {
                    if (_resources.ContainsKey(uri) && !ReferenceEquals(_resources[uri].Root, obj))
                        problems.Add(new(at + "/$id", "duplicate-id", $"Two subschemas claim the $id {uri}."));
                    resource = new SchemaResource(uri, obj, dialect, resource.Location);
                }
                _resources[uri] = resource;
                baseUri = uri;
                if (fragment is { Length: > 0 }) resource.Anchors[fragment] = obj;
            }
            else problems.Add(new(at + "/$id", "invalid-id", $"'{id}' is not a URI this schema can be identified by ({dialect.Name} allows no fragment here)."));
        }
        if (dialect.Draft == SchemaDraft.Draft202012)
        {
            if (obj["$anchor"]?.GetValueKind() == JsonValueKind.String) resource.Anchors[obj["$anchor"]!.GetValue<string>()] = obj;
            if (obj["$dynamicAnchor"]?.GetValueKind() == JsonValueKind.String)
            {
                var name = obj["$dynamicAnchor"]!.GetValue<string>();
                resource.Anchors.TryAdd(name, obj);
                resource.DynamicAnchors[name] = obj;
            }
        }
        return (baseUri, resource);
    }
}

/// <summary>Where a subschema sits: its base URI, resource and draft, and its pointer for messages.</summary>
internal sealed record NodeInfo(string BaseUri, SchemaResource Resource, SchemaDialect Dialect, string Pointer);

/// <summary>A schema resource: its URI, root, draft and anchors; <see cref="Location"/> prefixes the pointers of a component's nodes.</summary>
internal sealed class SchemaResource(string uri, JsonNode root, SchemaDialect dialect, string location)
{
    public string Uri { get; } = uri;
    public JsonNode Root { get; } = root;
    public SchemaDialect Dialect { get; } = dialect;
    public string Location { get; } = location;
    public Dictionary<string, JsonNode> Anchors { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, JsonNode> DynamicAnchors { get; } = new(StringComparer.Ordinal);
}
