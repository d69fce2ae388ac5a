using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
using DataExchange.Core.Common;

namespace DataExchange.Core.Datasets.Schemas;

/// <summary>What compiling a schema gives: its root, and the shared components it was compiled against (pinned versions).</summary>
internal sealed record CompiledSchema(SchemaNode Root, IReadOnlyList<SchemaComponent> Components, bool UsesDynamicScope);

/// <summary>
/// Compiles a schema document (and the components it references) into <see cref="SchemaNode"/>s, reporting
/// every problem: keywords its draft does not enforce, malformed values, references that land nowhere, and
/// in-place loops ($ref chains that never descend into the value, so validation would never end).
/// </summary>
internal sealed class SchemaCompiler
{
    readonly SchemaDocuments _documents;
    readonly List<ProblemItem> _problems;
    readonly Dictionary<JsonNode, SchemaNode> _compiled = new(ReferenceEqualityComparer.Instance);
    readonly Dictionary<SchemaResource, SchemaScope> _scopes = [];
    readonly List<SchemaScope> _allScopes = [];
    readonly Dictionary<SchemaDraft, SchemaNode> _metaschemas = [];
    bool _dynamic;

    SchemaCompiler(ISchemaComponents components, List<ProblemItem> problems)
    {
        _documents = new SchemaDocuments(components, problems);
        _problems = problems;
    }

    /// <summary>The compiled schema; null when <paramref name="problems"/> says why not.</summary>
    public static CompiledSchema? Compile(JsonNode document, ISchemaComponents components, List<ProblemItem> problems)
    {
        var compiler = new SchemaCompiler(components, problems);
        var before = problems.Count;
        compiler._documents.AddMain(document);
        if (problems.Count > before) return null;
        var root = compiler.At(document);
        // $dynamicRef may land on any dynamic anchor of the resources it passes through: compile them all.
        int compiled;
        do
        {
            compiled = compiler._compiled.Count;
            foreach (var r in compiler._documents.Resources.Distinct().ToList())
                foreach (var (name, node) in r.DynamicAnchors)
                    compiler.ScopeOf(r).DynamicAnchors[name] = compiler.At(node);
        }
        while (compiler._compiled.Count != compiled);
        if (problems.Count > before) return null;
        compiler.CheckLoops(root);
        return problems.Count > before ? null : new CompiledSchema(root, compiler._documents.Used.DistinctBy(c => c.Uri).ToList(), compiler._dynamic);
    }

    SchemaScope ScopeOf(SchemaResource resource)
    {
        if (_scopes.TryGetValue(resource, out var scope)) return scope;
        scope = new SchemaScope(resource.Uri, _allScopes);
        _allScopes.Add(scope);
        return _scopes[resource] = scope;
    }

    SchemaNode At(JsonNode node)
    {
        if (_compiled.TryGetValue(node, out var done)) return done;
        var info = _documents.InfoOf(node)!;
        var scope = ScopeOf(info.Resource);
        if (node is not JsonObject obj)
            return _compiled[node] = new SchemaNode { Pointer = info.Pointer, Scope = scope, Constant = node.GetValue<bool>() };
        var s = new SchemaNode { Pointer = info.Pointer, Scope = scope };
        _compiled[node] = s; // before children, so recursive refs find it
        var draft7 = info.Dialect.Draft == SchemaDraft.Draft7;
        if (draft7 && obj["$ref"] is { } onlyRef)
        {
            s.Ref = Reference(onlyRef.GetValue<string>(), info, info.Pointer + "/$ref");
            return s;
        }
        foreach (var (keyword, value) in obj)
        {
            if (!info.Dialect.Active.Contains(keyword)) continue;
            var at = info.Pointer + "/" + SchemaPointers.Escape(keyword);
            switch (keyword)
            {
                case "$ref": s.Ref = Reference(value!.GetValue<string>(), info, at); break;
                case "$dynamicRef": DynamicReference(s, value!.GetValue<string>(), info, at); break;
                case "type": s.Types = ReadTypes(value!); break;
                case "enum": s.Enum = [.. value!.AsArray().Select(Item)]; break;
                case "const": s.Const = Item(value); break;
                case "minLength": s.MinLength = Count(value); break;
                case "maxLength": s.MaxLength = Count(value); break;
                case "pattern": s.Pattern = Pattern(value!.GetValue<string>()); break;
                case "format" when info.Dialect.AssertsFormat: s.Format = StrictFormats.All.First(f => f.Format == value!.GetValue<string>()); break;
                case "contentEncoding": s.Base64 = true; break;
                case "contentMediaType": s.JsonContent = true; break;
                case "minimum": s.Minimum = Number(value); break;
                case "maximum": s.Maximum = Number(value); break;
                case "exclusiveMinimum": s.ExclusiveMinimum = Number(value); break;
                case "exclusiveMaximum": s.ExclusiveMaximum = Number(value); break;
                case "multipleOf": s.MultipleOf = Number(value); break;
                case "properties": s.Properties = Map(value!); break;
                case "patternProperties": s.PatternProperties = [.. value!.AsObject().Select(p => (Pattern(p.Key), At(p.Value!)))]; break;
                case "additionalProperties": s.AdditionalProperties = At(value!); break;
                case "propertyNames": s.PropertyNames = At(value!); break;
                case "required": s.Required = [.. value!.AsArray().Select(n => n!.GetValue<string>())]; break;
                case "dependentRequired": s.DependentRequired = value!.AsObject().ToDictionary(p => p.Key, p => Names(p.Value!), StringComparer.Ordinal); break;
                case "dependentSchemas": s.DependentSchemas = Map(value!); break;
                case "dependencies":
                    foreach (var (name, dependency) in value!.AsObject())
                        if (dependency is JsonArray names) (s.DependentRequired ??= new(StringComparer.Ordinal))[name] = Names(names);
                        else (s.DependentSchemas ??= new(StringComparer.Ordinal))[name] = At(dependency!);
                    break;
                case "minProperties": s.MinProperties = Count(value); break;
                case "maxProperties": s.MaxProperties = Count(value); break;
                case "unevaluatedProperties": s.UnevaluatedProperties = At(value!); break;
                case "prefixItems": s.PrefixItems = List(value!); break;
                case "items" when value is JsonArray: s.PrefixItems = List(value); break;
                case "items": s.Items = At(value!); break;
                case "contains": s.Contains = At(value!); break;
                case "minContains": s.MinContains = Count(value); break;
                case "maxContains": s.MaxContains = Count(value); break;
                case "minItems": s.MinItems = Count(value); break;
                case "maxItems": s.MaxItems = Count(value); break;
                case "uniqueItems": s.UniqueItems = value!.GetValue<bool>(); break;
                case "unevaluatedItems": s.UnevaluatedItems = At(value!); break;
                case "allOf": s.AllOf = List(value!); break;
                case "anyOf": s.AnyOf = List(value!); break;
                case "oneOf": s.OneOf = List(value!); break;
                case "not": s.Not = At(value!); break;
                case "if": s.If = At(value!); break;
                case "then": s.Then = At(value!); break;
                case "else": s.Else = At(value!); break;
            }
        }
        // Draft-07: additionalItems applies only beside tuple-form items; 2020-12 does not know it.
        if (draft7 && obj["items"] is JsonArray && obj["additionalItems"] is { } additional) s.Items = At(additional);
        // contains without minContains/maxContains semantics in draft-07 (at least one); both ignored without contains.
        if (s.Contains is null) { s.MinContains = 1; s.MaxContains = null; }
        return s;
    }

    SchemaNode? Reference(string reference, NodeInfo info, string at) => Target(_documents.Resolve(reference, info, at), info);

    SchemaNode? Target(SchemaDocuments.Target? target, NodeInfo info) => target switch
    {
        { Metaschema: { } meta } => Metaschema(meta.Draft, info),
        { Node: { } node } => At(node),
        _ => null,
    };

    // $dynamicRef resolves like $ref unless the resource it lands on names the fragment as a $dynamicAnchor:
    // then the outermost resource of the dynamic scope with that dynamic anchor wins (draft 2020-12, 8.2.3.2).
    void DynamicReference(SchemaNode s, string reference, NodeInfo info, string at)
    {
        var target = _documents.Resolve(reference, info, at);
        s.DynamicRef = Target(target, info);
        var fragment = SchemaUris.Fragment(reference);
        if (fragment is { Length: > 0 } && fragment[0] != '/' && target?.Node is JsonObject landed && _documents.InfoOf(landed) is { } t
            && t.Resource.DynamicAnchors.TryGetValue(fragment, out var anchored) && ReferenceEquals(anchored, landed))
        {
            s.DynamicName = fragment;
            _dynamic = true;
        }
    }

    SchemaNode Metaschema(SchemaDraft draft, NodeInfo info)
    {
        if (_metaschemas.TryGetValue(draft, out var meta)) return meta;
        var uri = draft == SchemaDraft.Draft7 ? SchemaDialect.Draft7Uri : SchemaDialect.Draft202012Uri;
        return _metaschemas[draft] = new SchemaNode
        {
            Pointer = uri + "#",
            Scope = ScopeOf(info.Resource),
            Predicate = v => SchemaVetter.IsSchema(ToNode(v), draft),
        };
    }

    static JsonNode? ToNode(JsonItem v) => v.Kind is JsonValueKind.Object or JsonValueKind.Array ? JsonNode.Parse(v.Element.GetRawText())
        : v.Kind switch { JsonValueKind.True => JsonValue.Create(true), JsonValueKind.False => JsonValue.Create(false), JsonValueKind.Null => null, _ => JsonValue.Create(v.Display) };

    static SchemaPattern Pattern(string source) => SchemaPattern.Compile(source);

    Dictionary<string, SchemaNode> Map(JsonNode value) => value.AsObject().ToDictionary(p => p.Key, p => At(p.Value!), StringComparer.Ordinal);

    SchemaNode[] List(JsonNode value) => [.. value.AsArray().Select(n => At(n!))];

    static string[] Names(JsonNode value) => [.. value.AsArray().Select(n => n!.GetValue<string>())];

    static JsonItem Item(JsonNode? n) => JsonItem.Of(JsonElement.Parse(n?.ToJsonString() ?? "null"));

    static JsonTypes ReadTypes(JsonNode value) =>
        value is JsonArray list ? list.Aggregate(JsonTypes.None, (t, n) => t | TypeOf(n!.GetValue<string>())) : TypeOf(value.GetValue<string>());

    static JsonTypes TypeOf(string name) => System.Enum.Parse<JsonTypes>(name, ignoreCase: true);

    // Limits beyond int.MaxValue cannot be reached by any string or array .NET can hold.
    static int Count(JsonNode? value)
    {
        var n = Number(value);
        if (n > IntMax) return int.MaxValue;
        if (n < One) return 0;
        // 1 <= n <= 2^31-1: at most as many fraction digits as written, so the power stays small.
        var whole = n.Exponent >= 0 ? n.Significand * BigInteger.Pow(10, n.Exponent) : n.Significand / BigInteger.Pow(10, -n.Exponent);
        return (int)whole;
    }

    static readonly ExactNumber IntMax = ExactNumber.Parse("2147483647"), One = ExactNumber.Parse("1");

    // The number as written in the schema document (JsonNode keeps its text), parsed exactly.
    static ExactNumber Number(JsonNode? value) => ExactNumber.Parse(value!.ToJsonString());

    /// <summary>Refuses in-place loops: subschemas applied to the same value that lead back to themselves.</summary>
    void CheckLoops(SchemaNode root)
    {
        var state = new Dictionary<SchemaNode, bool>(ReferenceEqualityComparer.Instance);
        var all = _compiled.Values.Concat(_metaschemas.Values).Append(root);
        foreach (var start in all)
            if (Loops(start, state))
            {
                _problems.Add(new(start.Pointer, "ref-cycle", "These references loop back to the same value without descending into it; validation would never end."));
                return;
            }
    }

    // Depth-first search: false while on the stack, true once finished.
    static bool Loops(SchemaNode node, Dictionary<SchemaNode, bool> state)
    {
        if (state.TryGetValue(node, out var finished)) return !finished;
        state[node] = false;
        foreach (var next in node.InPlace())
            if (Loops(next, state)) return true;
        state[node] = true;
        return false;
    }
}
