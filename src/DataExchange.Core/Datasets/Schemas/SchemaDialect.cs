namespace DataExchange.Core.Datasets.Schemas;

/// <summary>The JSON Schema drafts the exchange evaluates.</summary>
public enum SchemaDraft
{
    /// <summary>Draft-07 (http://json-schema.org/draft-07/schema#): the default for a schema without <c>$schema</c>.</summary>
    Draft7,

    /// <summary>Draft 2020-12 (https://json-schema.org/draft/2020-12/schema).</summary>
    Draft202012,
}

/// <summary>
/// Which keywords a schema's draft (and, in 2020-12, its metaschema's <c>$vocabulary</c>) gives meaning to:
/// <see cref="Active"/> keywords are enforced, <see cref="Inert"/> ones are accepted and change nothing
/// (annotations, and keywords of a standard vocabulary the metaschema leaves out). Anything else is refused.
/// </summary>
/// <remarks>
/// A schema without <c>$schema</c> is draft-07: every schema registered before 2020-12 was accepted was
/// vetted and published under draft-07 rules, and this keeps their meaning exactly.
/// </remarks>
internal sealed class SchemaDialect
{
    public const string Draft7Uri = "http://json-schema.org/draft-07/schema";
    public const string Draft202012Uri = "https://json-schema.org/draft/2020-12/schema";
    const string Vocab = "https://json-schema.org/draft/2020-12/vocab/";

    static readonly string[] Draft7Keywords =
    [
        "$ref", "definitions", "type", "enum", "const", "multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum",
        "maxLength", "minLength", "pattern", "format", "items", "additionalItems", "maxItems", "minItems", "uniqueItems", "contains",
        "maxProperties", "minProperties", "required", "properties", "patternProperties", "additionalProperties", "dependencies",
        "propertyNames", "if", "then", "else", "allOf", "anyOf", "oneOf", "not", "contentEncoding", "contentMediaType",
    ];

    // contentMediaType and contentEncoding are not here: draft-07 lets a validator assert them and a steward may expect
    // that, so base64 and application/json are asserted and any other value refused (in 2020-12 they are annotations).
    static readonly string[] Draft7Inert = ["$schema", "$id", "$comment", "title", "description", "default", "examples", "readOnly", "writeOnly"];

    /// <summary>The 2020-12 vocabularies and their keywords; "definitions" and "dependencies" are kept as the 2020-12 metaschema keeps them.</summary>
    static readonly Dictionary<string, string[]> Vocabularies = new(StringComparer.Ordinal)
    {
        [Vocab + "core"] = ["$schema", "$id", "$ref", "$anchor", "$dynamicRef", "$dynamicAnchor", "$vocabulary", "$comment", "$defs", "definitions"],
        [Vocab + "applicator"] = ["prefixItems", "items", "contains", "additionalProperties", "properties", "patternProperties", "dependentSchemas",
            "propertyNames", "if", "then", "else", "allOf", "anyOf", "oneOf", "not", "dependencies"],
        [Vocab + "unevaluated"] = ["unevaluatedItems", "unevaluatedProperties"],
        [Vocab + "validation"] = ["type", "const", "enum", "multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum", "maxLength",
            "minLength", "pattern", "maxItems", "minItems", "uniqueItems", "maxContains", "minContains", "maxProperties", "minProperties",
            "required", "dependentRequired"],
        [Vocab + "format-annotation"] = ["format"],
        [Vocab + "format-assertion"] = ["format"],
        [Vocab + "meta-data"] = [],
        [Vocab + "content"] = [],
    };

    static readonly string[] Draft202012Inert =
        ["title", "description", "default", "deprecated", "readOnly", "writeOnly", "examples", "contentEncoding", "contentMediaType", "contentSchema"];

    SchemaDialect(SchemaDraft draft, IEnumerable<string> active, IEnumerable<string> inert, bool assertsFormat)
    {
        Draft = draft;
        AssertsFormat = assertsFormat;
        Active = new HashSet<string>(active, StringComparer.Ordinal);
        Inert = new HashSet<string>(inert.Where(k => !Active.Contains(k)), StringComparer.Ordinal);
    }

    public SchemaDraft Draft { get; }

    /// <summary>
    /// Whether format is an assertion: always in draft-07 (the exchange's choice, which the spec allows); in
    /// 2020-12 only with the format-assertion vocabulary, since with the standard metaschema's format-annotation
    /// vocabulary the spec makes an invalid value valid.
    /// </summary>
    public bool AssertsFormat { get; }

    /// <summary>Keywords enforced.</summary>
    public IReadOnlySet<string> Active { get; }

    /// <summary>Keywords accepted without effect.</summary>
    public IReadOnlySet<string> Inert { get; }

    public static SchemaDialect Draft7 { get; } = new(SchemaDraft.Draft7, Draft7Keywords, Draft7Inert, assertsFormat: true);

    public static SchemaDialect Draft202012 { get; } = new(SchemaDraft.Draft202012, Vocabularies.Values.SelectMany(k => k), Draft202012Inert, assertsFormat: false);

    /// <summary>The dialect a standard metaschema URI names (with or without its empty fragment); null for any other.</summary>
    public static SchemaDialect? Standard(string uri) => uri.TrimEnd('#') switch
    {
        Draft7Uri => Draft7,
        Draft202012Uri => Draft202012,
        _ => null,
    };

    public static SchemaDialect For(SchemaDraft draft) => draft == SchemaDraft.Draft7 ? Draft7 : Draft202012;

    /// <summary>
    /// The dialect of a 2020-12 metaschema declaring <paramref name="vocabulary"/> (URI → required): core always,
    /// the listed standard vocabularies active, the others' keywords inert. Null, with <paramref name="unknown"/>,
    /// when a vocabulary the exchange does not know is required (the spec says to refuse the schema).
    /// </summary>
    public static SchemaDialect? FromVocabulary(IEnumerable<KeyValuePair<string, bool>> vocabulary, out string? unknown)
    {
        unknown = null;
        var active = new List<string>(Vocabularies[Vocab + "core"]);
        var assertsFormat = false;
        foreach (var (uri, required) in vocabulary)
        {
            assertsFormat |= uri == Vocab + "format-assertion";
            if (Vocabularies.TryGetValue(uri, out var keywords)) active.AddRange(keywords);
            else if (required)
            {
                unknown = uri;
                return null;
            }
        }
        return new SchemaDialect(SchemaDraft.Draft202012, active, Vocabularies.Values.SelectMany(k => k).Concat(Draft202012Inert), assertsFormat);
    }

    /// <summary>The name of the draft for messages.</summary>
    public string Name => Draft == SchemaDraft.Draft7 ? "draft-07" : "draft 2020-12";
}
