using System.Text.Json.Nodes;
using DataExchange.Core.Common;

namespace DataExchange.Core.Datasets.Schemas;

internal sealed partial class SchemaDocuments
{
    /// <summary>What a reference lands on: a subschema, or a standard metaschema the exchange checks itself.</summary>
    public readonly record struct Target(JsonNode? Node, SchemaDialect? Metaschema);

    /// <summary>
    /// Resolves <paramref name="reference"/> (a $ref or $dynamicRef value) from a subschema: a JSON Pointer or an
    /// anchor in a resource of this document, of a registered component, or a standard metaschema. Null, with a
    /// problem at <paramref name="at"/>, when it lands nowhere: nothing is ever fetched.
    /// </summary>
    public Target? Resolve(string reference, NodeInfo from, string at)
    {
        if (SchemaUris.Resolve(from.BaseUri, reference) is not { } uri)
            return Unresolved(at, $"'{reference}' is not a URI reference.");
        var fragment = SchemaUris.Fragment(reference) ?? "";
        if (!_resources.TryGetValue(uri, out var resource))
        {
            if (fragment.Length == 0 && SchemaDialect.Standard(uri) is { } meta && components.Find(uri) is null) return new Target(null, meta);
            resource = Load(uri);
            if (resource is null)
                return Unresolved(at, $"'{reference}' refers to {uri}, which is neither in this schema nor a registered shared component; the exchange never fetches schemas.");
        }
        if (fragment.Length == 0) return new Target(resource.Root, null);
        if (fragment[0] != '/')
            return resource.Anchors.TryGetValue(fragment, out var anchored) ? new Target(anchored, null)
                : Unresolved(at, $"'{reference}': {uri} has no anchor named '{fragment}'.");
        return Follow(resource, fragment, reference, at);
    }

    // Walks a JSON Pointer from the resource root. A target outside the walked subschemas (inside an annotation,
    // say) is vetted now, with the base URI of the last subschema on its way.
    Target? Follow(SchemaResource resource, string pointer, string reference, string at)
    {
        JsonNode? current = resource.Root;
        var info = _info[resource.Root];
        var path = info.Pointer.Length > resource.Location.Length ? info.Pointer[resource.Location.Length..] : "";
        foreach (var raw in pointer.Split('/').Skip(1))
        {
            var token = SchemaPointers.Unescape(raw);
            current = current switch
            {
                JsonObject o when o.TryGetPropertyValue(token, out var next) => next,
                JsonArray a when int.TryParse(token, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var i) && i < a.Count => a[i],
                _ => null,
            };
            if (current is null) return Unresolved(at, $"'{reference}' points at nothing.");
            path += "/" + raw;
            if (_info.TryGetValue(current, out var known)) info = known;
        }
        if (!_info.ContainsKey(current!)) Walk(current, path, info.BaseUri, info.Resource, info.Dialect, 0);
        return _info.ContainsKey(current!) ? new Target(current, null) : null;
    }

    SchemaResource? Load(string uri)
    {
        if (!_missing.Add(uri) && !_resources.ContainsKey(uri)) return null;
        if (components.Find(uri) is not { } component) return null;
        JsonNode? root;
        try { root = JsonNode.Parse(component.Text); }
        catch (System.Text.Json.JsonException) { root = null; }
        if (root is null) return null;
        Used.Add(component);
        AddDocument(root, uri, uri + "#", SchemaDialect.For(component.DefaultDraft));
        return _resources.GetValueOrDefault(uri);
    }

    Target? Unresolved(string at, string message)
    {
        problems.Add(new(at, "unresolved-ref", message));
        return null;
    }
}
