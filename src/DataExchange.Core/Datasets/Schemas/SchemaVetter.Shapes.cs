using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DataExchange.Core.Common;

namespace DataExchange.Core.Datasets.Schemas;

public static partial class SchemaVetter
{
    static readonly HashSet<string> TypeNames = new(StringComparer.Ordinal) { "null", "boolean", "object", "array", "number", "integer", "string" };

    // A malformed keyword value would otherwise be read by the evaluator in some guessed way; refuse it instead.
    static bool HasValidShape(string keyword, JsonNode? value, SchemaDraft draft)
    {
        var kind = value?.GetValueKind() ?? JsonValueKind.Null;
        return keyword switch
        {
            "type" => kind == JsonValueKind.String ? TypeNames.Contains(value!.GetValue<string>())
                : value is JsonArray types && types.All(t => t?.GetValueKind() == JsonValueKind.String && TypeNames.Contains(t.GetValue<string>()))
                    && types.Select(t => t!.GetValue<string>()).Distinct().Count() == types.Count,
            "required" => IsStringSet(value),
            "dependentRequired" => value is JsonObject d && d.All(p => IsStringSet(p.Value)),
            "dependencies" => value is JsonObject deps && deps.All(p => p.Value is not JsonArray || IsStringSet(p.Value)),
            "enum" => value is JsonArray,
            "minLength" or "maxLength" or "minItems" or "maxItems" or "minProperties" or "maxProperties" or "minContains" or "maxContains" =>
                kind == JsonValueKind.Number && ExactNumber.Parse(value!.ToJsonString()) is var n && n.Significand.Sign >= 0 && n.IsInteger,
            "minimum" or "maximum" or "exclusiveMinimum" or "exclusiveMaximum" => kind == JsonValueKind.Number,
            // Exact: 1e-400 is a positive step (a double would call it 0) and 1e400 one too (a double would overflow).
            "multipleOf" => kind == JsonValueKind.Number && ExactNumber.Parse(value!.ToJsonString()).Significand.Sign > 0,
            "uniqueItems" or "readOnly" or "writeOnly" or "deprecated" => kind is JsonValueKind.True or JsonValueKind.False,
            "$comment" or "title" or "description" or "$schema" or "contentMediaType" or "contentEncoding" => kind == JsonValueKind.String,
            "$ref" or "$dynamicRef" => kind == JsonValueKind.String,
            "$id" => kind == JsonValueKind.String && (draft == SchemaDraft.Draft7 || !HasFragment(value!.GetValue<string>())),
            "$anchor" or "$dynamicAnchor" => kind == JsonValueKind.String && AnchorName().IsMatch(value!.GetValue<string>()),
            "$vocabulary" => value is JsonObject v && v.All(p => p.Value?.GetValueKind() is JsonValueKind.True or JsonValueKind.False),
            _ => true,
        };
    }

    static bool IsStringSet(JsonNode? value) =>
        value is JsonArray names && names.All(n => n?.GetValueKind() == JsonValueKind.String) && names.Select(n => n!.GetValue<string>()).Distinct().Count() == names.Count;

    static bool HasFragment(string id) => id.IndexOf('#', StringComparison.Ordinal) is var i && i >= 0 && i < id.Length - 1;

    /// <summary>
    /// Whether <paramref name="instance"/> is a schema of <paramref name="draft"/>, as its metaschema says: every
    /// keyword of the draft has a value of the right shape, subschemas too; other members are allowed. A $ref to a
    /// standard metaschema is checked by this, so the exchange needs no copy of the metaschema documents.
    /// </summary>
    internal static bool IsSchema(JsonNode? instance, SchemaDraft draft, int depth = 0)
    {
        if (instance?.GetValueKind() is JsonValueKind.True or JsonValueKind.False) return true;
        if (instance is not JsonObject obj || depth > 256) return false;
        var dialect = SchemaDialect.For(draft);
        foreach (var (keyword, value) in obj)
        {
            if (!dialect.Active.Contains(keyword) && !dialect.Inert.Contains(keyword)) continue;
            var problems = new List<ProblemItem>();
            if (keyword is "format") { if (value?.GetValueKind() != JsonValueKind.String) return false; }
            else if (keyword is "pattern") { if (value?.GetValueKind() != JsonValueKind.String) return false; }
            else VetKeyword(keyword, value, "", dialect, isRoot: true, problems);
            if (problems.Count > 0) return false;
            foreach (var (_, sub) in Subschemas(keyword, value, dialect))
                if (!IsSchema(sub, draft, depth + 1)) return false;
        }
        return true;
    }

    [GeneratedRegex("^[A-Za-z_][-A-Za-z0-9._]*$")]
    private static partial Regex AnchorName();
}
