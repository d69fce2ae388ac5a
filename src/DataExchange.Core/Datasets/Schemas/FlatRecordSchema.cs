namespace DataExchange.Core.Datasets.Schemas;

/// <summary>
/// A record schema whose root asserts only <c>type</c> (object), <c>properties</c>, <c>required</c> and
/// <c>additionalProperties</c>, so a record is valid exactly when each member is valid against its own
/// subschema and the required members are present. CSV rows are checked member by member with the
/// evaluator's own code, without building the record as a JSON document.
/// </summary>
/// <remarks>
/// The member subschemas are not restricted: a CSV cell is always a scalar, and
/// <see cref="SchemaEvaluator.IsValid(SchemaNode, in JsonItem)"/> is the very check the root applies to each
/// member. Only root keywords that look at the record as a whole (enum, minProperties, maxProperties,
/// allOf/anyOf/oneOf/not/if, patternProperties, propertyNames, dependencies, unevaluatedProperties, $ref, a boolean root) make a schema not flat. Keywords for other types (pattern,
/// items…) do not apply to an object and are ignored at the root, as the evaluator ignores them.
/// </remarks>
internal sealed class FlatRecordSchema
{
    readonly SchemaEvaluator _evaluator;
    readonly SchemaNode _root;

    FlatRecordSchema(SchemaEvaluator evaluator)
    {
        _evaluator = evaluator;
        _root = evaluator.Root;
        Required = _root.Required ?? [];
    }

    /// <summary>The names a valid record must have.</summary>
    public string[] Required { get; }

    /// <summary>The flat view of <paramref name="evaluator"/>'s schema, or null when its root is not flat.</summary>
    public static FlatRecordSchema? TryCreate(SchemaEvaluator evaluator)
    {
        var r = evaluator.Root;
        var flat = r.Constant is null && r.Predicate is null && r.Ref is null && r.DynamicRef is null && (r.Types & JsonTypes.Object) != 0
            && r.Enum is null && r.Const is null && r.MinProperties is null && r.MaxProperties is null
            && r.PatternProperties is null && r.PropertyNames is null && r.DependentRequired is null && r.DependentSchemas is null
            && r.UnevaluatedProperties is null && r.AllOf is null && r.AnyOf is null && r.OneOf is null && r.Not is null && r.If is null;
        return flat ? new FlatRecordSchema(evaluator) : null;
    }

    /// <summary>
    /// The subschema a member named <paramref name="name"/> is checked against: the property's, else
    /// additionalProperties' (false when it is false, so every value fails); null when anything goes.
    /// </summary>
    public SchemaNode? MemberSchema(string name) =>
        _root.Properties is not null && _root.Properties.TryGetValue(name, out var property) ? property : _root.AdditionalProperties;

    /// <summary>Whether a member value is valid against its subschema from <see cref="MemberSchema"/>.</summary>
    public bool IsValid(SchemaNode member, in JsonItem value) => _evaluator.IsValid(member, value);
}
