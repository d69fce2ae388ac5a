using System.Text.Json;
using System.Text.Json.Nodes;
using DataExchange.Core.Common;

namespace DataExchange.Core.Datasets.Schemas;

/// <summary>
/// Fails closed before the evaluator ever sees a schema: every keyword must be one its draft gives meaning to
/// (<see cref="SchemaDialect"/>), with a value of the right shape; formats must be ones the exchange checks;
/// every reference must land on a schema of this document or of a registered component; size and depth are bounded.
/// </summary>
public static partial class SchemaVetter
{
    /// <summary>64 KiB of schema text is far beyond any record schema seen in practice.</summary>
    public const int MaxSchemaBytes = 64 * 1024;

    /// <summary>Nesting beyond 32 levels is either generated junk or an attack on a recursive validator.</summary>
    public const int MaxDepth = 32;

    /// <summary>The formats the exchange checks itself.</summary>
    public static IReadOnlySet<string> Formats { get; } = new HashSet<string>(StrictFormats.All.Select(f => f.Format), StringComparer.Ordinal);

    /// <summary>Every reason the schema cannot be accepted (no shared components); empty when it can.</summary>
    public static IReadOnlyList<ProblemItem> Vet(JsonObject schema, int textLength) => Vet(schema, textLength, SchemaComponents.None);

    /// <summary>Every reason the schema cannot be accepted, its references resolved among <paramref name="components"/>; empty when it can.</summary>
    public static IReadOnlyList<ProblemItem> Vet(JsonNode schema, int textLength, ISchemaComponents components)
    {
        var problems = new List<ProblemItem>();
        if (textLength > MaxSchemaBytes)
            problems.Add(new("", "schema-too-large", $"The schema is {textLength} bytes; the limit is {MaxSchemaBytes}."));
        SchemaCompiler.Compile(schema, components, problems);
        return problems;
    }

    /// <summary>The subschemas a keyword holds, with the pointer suffix of each ("" for a single schema).</summary>
    internal static IEnumerable<(string Suffix, JsonNode? Schema)> Subschemas(string keyword, JsonNode? value, SchemaDialect dialect)
    {
        switch (keyword)
        {
            case "additionalProperties" or "propertyNames" or "if" or "then" or "else" or "not" or "contains"
                or "unevaluatedItems" or "unevaluatedProperties" or "additionalItems":
            case "items" when value is not JsonArray:
                yield return ("", value);
                break;
            case "allOf" or "anyOf" or "oneOf" or "prefixItems" or "items" when value is JsonArray list:
                for (var i = 0; i < list.Count; i++) yield return ($"/{i}", list[i]);
                break;
            case "properties" or "patternProperties" or "$defs" or "definitions" or "dependentSchemas" or "dependencies" when value is JsonObject map:
                foreach (var (name, sub) in map)
                    if (keyword != "dependencies" || sub is not JsonArray)
                        yield return ("/" + SchemaPointers.Escape(name), sub);
                break;
        }
    }

    /// <summary>Problems with one keyword's value (not its subschemas, which are walked on their own).</summary>
    internal static void VetKeyword(string keyword, JsonNode? value, string at, SchemaDialect dialect, bool isRoot, List<ProblemItem> problems)
    {
        switch (keyword)
        {
            case "format":
                if (value?.GetValueKind() != JsonValueKind.String || !Formats.Contains(value.GetValue<string>()))
                    problems.Add(new(at, "format-unknown", $"Unknown format {value?.ToJsonString()}{Nearest(value?.ToString() ?? "", Formats)}; the exchange enforces: {string.Join(", ", Formats)}."));
                break;
            case "pattern":
                VetPattern(value, at, problems);
                break;
            case "contentEncoding" when value?.GetValueKind() != JsonValueKind.String || value.GetValue<string>() != "base64":
            case "contentMediaType" when value?.GetValueKind() != JsonValueKind.String || value.GetValue<string>() != "application/json":
                problems.Add(new(at, "content-not-enforced", $"The exchange checks contentEncoding base64 and contentMediaType application/json only; {value?.ToJsonString()} would go unchecked, so it is refused."));
                break;
            case "patternProperties" when value is JsonObject patterns:
                foreach (var (pattern, _) in patterns) VetPattern(JsonValue.Create(pattern), at + "/" + SchemaPointers.Escape(pattern), problems);
                break;
            case "allOf" or "anyOf" or "oneOf" when value is not JsonArray { Count: > 0 }:
                problems.Add(new(at, "not-an-array", $"{keyword} must be a non-empty array of schemas."));
                break;
            case "items" when value is JsonArray && dialect.Draft != SchemaDraft.Draft7:
                problems.Add(new(at, "invalid-keyword-value", "In draft 2020-12 items is one schema; a tuple is written with prefixItems."));
                break;
            case "prefixItems" when value is not JsonArray { Count: > 0 }:
            case "properties" or "patternProperties" or "$defs" or "definitions" or "dependentSchemas" or "dependencies" when value is not JsonObject:
                problems.Add(new(at, "invalid-keyword-value", $"{keyword} must be {(keyword == "prefixItems" ? "a non-empty array" : "an object")} of schemas."));
                break;
            case "$vocabulary" when !isRoot:
                problems.Add(new(at, "invalid-keyword-value", "$vocabulary belongs in a metaschema's root."));
                break;
            default:
                if (!HasValidShape(keyword, value, dialect.Draft))
                    problems.Add(new(at, "invalid-keyword-value", $"The value of '{keyword}' is not what {dialect.Name} allows there."));
                break;
        }
    }

    /// <summary>What to write instead of a keyword <paramref name="dialect"/> does not have: its draft, or the keyword it nearly spells.</summary>
    internal static string Suggestion(string keyword, SchemaDialect dialect)
    {
        var other = dialect.Draft == SchemaDraft.Draft7 ? SchemaDialect.Draft202012 : SchemaDialect.Draft7;
        if (other.Active.Contains(keyword))
            return keyword switch
            {
                "dependentRequired" or "dependentSchemas" => " In draft-07 write it as dependencies, or declare \"$schema\": \"" + SchemaDialect.Draft202012Uri + "\".",
                "additionalItems" => " In draft 2020-12 write the tuple as prefixItems and the rest as items.",
                _ when dialect.Draft == SchemaDraft.Draft7 => $" It is a draft 2020-12 keyword: declare \"$schema\": \"{SchemaDialect.Draft202012Uri}\" to use it.",
                _ => $" It is a draft-07 keyword: declare \"$schema\": \"{SchemaDialect.Draft7Uri}#\" to use it.",
            };
        return Nearest(keyword, dialect.Active.Concat(dialect.Inert));
    }

    // " (did you mean 'maxLength'?)" for a name one or two edits from a known one.
    static string Nearest(string name, IEnumerable<string> known) =>
        known.Select(k => (k, d: Distance(name, k))).Where(x => x.d <= 2 && x.d < name.Length).OrderBy(x => x.d).FirstOrDefault().k is { } near ? $" (did you mean '{near}'?)" : "";

    static int Distance(string a, string b)
    {
        var row = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var previous = row[0];
            row[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var current = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), previous + (a[i - 1] == b[j - 1] ? 0 : 1));
                previous = current;
            }
        }
        return row[b.Length];
    }

    static void VetPattern(JsonNode? value, string at, List<ProblemItem> problems)
    {
        if (value?.GetValueKind() != JsonValueKind.String)
        {
            problems.Add(new(at, "invalid-pattern", "pattern must be a string."));
            return;
        }
        if (EcmaRegex.Problem(value.GetValue<string>()) is { } problem)
            problems.Add(new(at, problem.Code, problem.Message));
    }
}
