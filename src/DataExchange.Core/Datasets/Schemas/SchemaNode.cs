using DataExchange.Core.Common;

namespace DataExchange.Core.Datasets.Schemas;

/// <summary>JSON types as a flag set; 0 means any type.</summary>
[Flags]
internal enum JsonTypes { None = 0, Null = 1, Boolean = 2, Object = 4, Array = 8, Number = 16, Integer = 32, String = 64 }

/// <summary>
/// One (sub)schema compiled once from a vetted document (<see cref="SchemaCompiler"/>): every keyword its
/// draft enforces, with its values pre-parsed, so validating a record does no lookups by name. Both drafts
/// compile to the same shape: draft-07's tuple <c>items</c> and <c>additionalItems</c> become
/// <see cref="PrefixItems"/> and <see cref="Items"/>, <c>dependencies</c> becomes <see cref="DependentRequired"/>
/// and <see cref="DependentSchemas"/>.
/// </summary>
internal sealed class SchemaNode
{
    /// <summary>Where the schema is: a JSON Pointer into the registered document, or "uri#pointer" in a shared component.</summary>
    public required string Pointer { get; init; }

    /// <summary>The schema resource it belongs to (for $dynamicRef's dynamic scope).</summary>
    public required SchemaScope Scope { get; init; }

    /// <summary>A boolean schema: true accepts everything, false nothing.</summary>
    public bool? Constant { get; init; }

    /// <summary>A check the exchange makes itself (the standard metaschemas: "is a schema of this draft").</summary>
    public Func<JsonItem, bool>? Predicate { get; init; }
    public SchemaNode? Ref { get; set; }
    public SchemaNode? DynamicRef { get; set; }

    /// <summary>The anchor name a $dynamicRef looks up in the dynamic scope; null when it resolves statically.</summary>
    public string? DynamicName { get; set; }
    public JsonTypes Types { get; set; }
    public JsonItem[]? Enum { get; set; }
    public JsonItem? Const { get; set; }

    public int? MinLength { get; set; }
    public int? MaxLength { get; set; }
    public SchemaPattern? Pattern { get; set; }
    public StrictFormats.StringFormat? Format { get; set; }

    /// <summary>Draft-07 contentEncoding base64: the string must decode.</summary>
    public bool Base64 { get; set; }

    /// <summary>Draft-07 contentMediaType application/json: the (decoded) string must be JSON.</summary>
    public bool JsonContent { get; set; }

    public ExactNumber? Minimum { get; set; }
    public ExactNumber? Maximum { get; set; }
    public ExactNumber? ExclusiveMinimum { get; set; }
    public ExactNumber? ExclusiveMaximum { get; set; }
    public ExactNumber? MultipleOf { get; set; }

    public Dictionary<string, SchemaNode>? Properties { get; set; }
    public (SchemaPattern Pattern, SchemaNode Schema)[]? PatternProperties { get; set; }
    public SchemaNode? AdditionalProperties { get; set; }
    public SchemaNode? PropertyNames { get; set; }
    public string[]? Required { get; set; }
    public Dictionary<string, string[]>? DependentRequired { get; set; }
    public Dictionary<string, SchemaNode>? DependentSchemas { get; set; }
    public int? MinProperties { get; set; }
    public int? MaxProperties { get; set; }
    public SchemaNode? UnevaluatedProperties { get; set; }

    public SchemaNode[]? PrefixItems { get; set; }

    /// <summary>The schema of every item after <see cref="PrefixItems"/> (draft-07: items as one schema, or additionalItems).</summary>
    public SchemaNode? Items { get; set; }
    public SchemaNode? Contains { get; set; }

    /// <summary>How many items must match <see cref="Contains"/> (1 unless minContains says otherwise).</summary>
    public int MinContains { get; set; } = 1;
    public int? MaxContains { get; set; }
    public int? MinItems { get; set; }
    public int? MaxItems { get; set; }
    public bool UniqueItems { get; set; }
    public SchemaNode? UnevaluatedItems { get; set; }

    public SchemaNode[]? AllOf { get; set; }
    public SchemaNode[]? AnyOf { get; set; }
    public SchemaNode[]? OneOf { get; set; }
    public SchemaNode? Not { get; set; }
    public SchemaNode? If { get; set; }
    public SchemaNode? Then { get; set; }
    public SchemaNode? Else { get; set; }

    /// <summary>Whether evaluating it needs to know which members and items its subschemas evaluated.</summary>
    public bool TracksEvaluated => UnevaluatedProperties is not null || UnevaluatedItems is not null;

    /// <summary>The subschemas applied to the same instance (for the loop check).</summary>
    public IEnumerable<SchemaNode> InPlace()
    {
        foreach (var n in new[] { Ref, DynamicRef, Not, If, Then, Else })
            if (n is not null) yield return n;
        foreach (var list in new[] { AllOf, AnyOf, OneOf })
            foreach (var n in list ?? [])
                yield return n;
        foreach (var n in DependentSchemas?.Values ?? Enumerable.Empty<SchemaNode>())
            yield return n;
        if (DynamicName is not null)
            foreach (var n in Scope.AllDynamic(DynamicName))
                yield return n;
    }
}

/// <summary>
/// A schema resource (a document or a subschema with its own $id) as the evaluator sees it: its URI and the
/// subschemas its $dynamicAnchors name. Shared by every node of the resource.
/// </summary>
internal sealed class SchemaScope(string uri, IReadOnlyList<SchemaScope> all)
{
    public string Uri { get; } = uri;

    public Dictionary<string, SchemaNode> DynamicAnchors { get; } = new(StringComparer.Ordinal);

    /// <summary>Every node any resource of the compilation names <paramref name="name"/> as a dynamic anchor.</summary>
    public IEnumerable<SchemaNode> AllDynamic(string name)
    {
        foreach (var s in all)
            if (s.DynamicAnchors.TryGetValue(name, out var n)) yield return n;
    }
}
