using System.Text.Json.Nodes;
using DataExchange.Core.Common;

namespace DataExchange.Core.Datasets.Schemas;

/// <summary>
/// Fails closed before the evaluator ever sees a schema: only keywords the exchange's own
/// <see cref="SchemaEvaluator"/> enforces are accepted (const, contains, if/then/else, propertyNames,
/// dependentRequired… are refused rather than silently ignored, as NJsonSchema 11 ignored them), every
/// $ref must point inside the document, and size and depth are bounded.
/// </summary>
public static partial class SchemaVetter
{
    /// <summary>64 KiB of schema text is far beyond any record schema seen in practice.</summary>
    public const int MaxSchemaBytes = 64 * 1024;

    /// <summary>Nesting beyond 32 levels is either generated junk or an attack on a recursive validator.</summary>
    public const int MaxDepth = 32;

    /// <summary>Keywords whose meaning the exchange enforces (<see cref="SchemaEvaluator"/>).</summary>
    public static IReadOnlySet<string> EnforcedKeywords { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "type", "properties", "required", "additionalProperties", "enum",
        "minLength", "maxLength", "pattern", "format",
        "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
        "items", "minItems", "maxItems", "uniqueItems",
        "allOf", "anyOf", "oneOf", "not", "$ref", "definitions",
        "minProperties", "maxProperties",
    };

    /// <summary>Annotations: no effect on validity, so accepting them loses nothing.</summary>
    public static IReadOnlySet<string> Annotations { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "$schema", "$id", "$comment", "title", "description", "default", "examples", "readOnly", "writeOnly",
    };

    /// <summary>The formats the exchange checks itself.</summary>
    public static IReadOnlySet<string> Formats { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "date", "date-time", "email", "uri", "uuid", "ipv4", "cn-resident-id", "cn-uscc",
    };

    static readonly HashSet<string> AcceptedDrafts = new(StringComparer.Ordinal)
    {
        "http://json-schema.org/draft-07/schema#", "http://json-schema.org/draft-07/schema",
    };

    /// <summary>Every reason the schema cannot be accepted; empty when it can.</summary>
    public static IReadOnlyList<ProblemItem> Vet(JsonObject schema, int textLength)
    {
        var problems = new List<ProblemItem>();
        if (textLength > MaxSchemaBytes)
            problems.Add(new("", "schema-too-large", $"The schema is {textLength} bytes; the limit is {MaxSchemaBytes}."));
        if (schema["$schema"] is { } draft && (draft.GetValueKind() != System.Text.Json.JsonValueKind.String || !AcceptedDrafts.Contains(draft.GetValue<string>())))
            problems.Add(new("/$schema", "draft-not-supported", "Only JSON Schema draft-07 (http://json-schema.org/draft-07/schema#) is accepted."));
        var refs = new RefGraph();
        VetSchema(schema, "", 0, problems, refs, isRoot: true);
        refs.Check(schema, problems);
        return problems;
    }

    static void VetSchema(JsonNode? node, string pointer, int depth, List<ProblemItem> problems, RefGraph refs, bool isRoot = false)
    {
        refs.Schemas.Add(pointer);
        if (depth > MaxDepth)
        {
            problems.Add(new(pointer, "schema-too-deep", $"The schema nests deeper than {MaxDepth} levels."));
            return;
        }
        if (node is null || node.GetValueKind() is System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False)
            return;
        if (node is not JsonObject obj)
        {
            problems.Add(new(pointer, "not-a-schema", "A schema must be an object or a boolean."));
            return;
        }
        if (obj.ContainsKey("$ref"))
            foreach (var (keyword, _) in obj)
                if (keyword != "$ref" && keyword != "definitions" && !Annotations.Contains(keyword))
                    problems.Add(new(pointer + "/" + Escape(keyword), "ref-sibling",
                        "Draft-07 ignores every keyword beside $ref; put the $ref and the other rules in an allOf."));
        foreach (var (keyword, value) in obj)
        {
            var at = pointer + "/" + Escape(keyword);
            if (!EnforcedKeywords.Contains(keyword) && !Annotations.Contains(keyword))
            {
                problems.Add(new(at, "keyword-not-enforced", $"The keyword '{keyword}' is not enforced by the exchange, so it is refused rather than ignored."));
                continue;
            }
            switch (keyword)
            {
                case "$id" when !isRoot:
                    problems.Add(new(at, "nested-id", "$id is accepted only at the root: nested ids change how $ref resolves."));
                    break;
                case "$ref":
                    if (value?.GetValueKind() != System.Text.Json.JsonValueKind.String || !value.GetValue<string>().StartsWith('#'))
                        problems.Add(new(at, "external-ref", "Only references inside this document (starting with #) are allowed; the exchange never fetches schemas."));
                    else refs.AddRef(pointer, at, value.GetValue<string>());
                    break;
                case "format":
                    if (value?.GetValueKind() != System.Text.Json.JsonValueKind.String || !Formats.Contains(value.GetValue<string>()))
                        problems.Add(new(at, "format-unknown", $"Unknown format; the exchange enforces: {string.Join(", ", Formats)}."));
                    break;
                case "properties" or "definitions":
                    if (value is JsonObject children)
                        foreach (var (name, child) in children) VetSchema(child, at + "/" + Escape(name), depth + 1, problems, refs);
                    else problems.Add(new(at, "not-an-object", $"{keyword} must be an object of schemas."));
                    break;
                case "items":
                    if (value is JsonArray)
                        problems.Add(new(at, "keyword-not-enforced", "Tuple-form items (an array) is not enforced; use one schema for all items."));
                    else VetSchema(value, at, depth + 1, problems, refs);
                    break;
                case "additionalProperties":
                    VetSchema(value, at, depth + 1, problems, refs);
                    break;
                case "not":
                    refs.AddEdge(pointer, at);
                    VetSchema(value, at, depth + 1, problems, refs);
                    break;
                case "allOf" or "anyOf" or "oneOf":
                    if (value is JsonArray { Count: > 0 } list)
                        for (var i = 0; i < list.Count; i++)
                        {
                            refs.AddEdge(pointer, $"{at}/{i}");
                            VetSchema(list[i], $"{at}/{i}", depth + 1, problems, refs);
                        }
                    else problems.Add(new(at, "not-an-array", $"{keyword} must be a non-empty array of schemas."));
                    break;
                case "pattern":
                    VetPattern(value, at, problems);
                    break;
                default:
                    VetShape(keyword, value, at, problems);
                    break;
            }
        }
    }

    static void VetPattern(JsonNode? value, string at, List<ProblemItem> problems)
    {
        if (value?.GetValueKind() != System.Text.Json.JsonValueKind.String)
        {
            problems.Add(new(at, "invalid-pattern", "pattern must be a string."));
            return;
        }
        // .NET matches UTF-16 units, so "🐲*" would repeat only the low surrogate: refuse rather than mis-match.
        if (value.GetValue<string>().Any(char.IsSurrogate))
        {
            problems.Add(new(at, "pattern-not-enforced", "Patterns with characters beyond U+FFFF cannot be matched faithfully; use an escape-free range of BMP characters or drop the pattern."));
            return;
        }
        try
        {
            _ = SchemaNode.EcmaRegex(value.GetValue<string>());
        }
        catch (ArgumentException e)
        {
            problems.Add(new(at, "invalid-pattern", $"The pattern is not a valid ECMA-262 regular expression: {e.Message}"));
        }
    }

    static string Escape(string token) => SchemaPointers.Escape(token);
}
