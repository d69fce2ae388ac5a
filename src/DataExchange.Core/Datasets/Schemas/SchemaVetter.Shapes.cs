using System.Text.Json;
using System.Text.Json.Nodes;
using DataExchange.Core.Common;

namespace DataExchange.Core.Datasets.Schemas;

public static partial class SchemaVetter
{
    static readonly HashSet<string> TypeNames = new(StringComparer.Ordinal) { "null", "boolean", "object", "array", "number", "integer", "string" };

    // A malformed keyword value would otherwise be read by the evaluator in some guessed way; refuse it instead.
    static void VetShape(string keyword, JsonNode? value, string at, List<ProblemItem> problems)
    {
        var kind = value?.GetValueKind() ?? JsonValueKind.Null;
        var ok = keyword switch
        {
            "type" => kind == JsonValueKind.String ? TypeNames.Contains(value!.GetValue<string>())
                : value is JsonArray { Count: > 0 } types && types.All(t => t?.GetValueKind() == JsonValueKind.String && TypeNames.Contains(t.GetValue<string>()))
                    && types.Select(t => t!.GetValue<string>()).Distinct().Count() == types.Count,
            "required" => value is JsonArray names && names.All(n => n?.GetValueKind() == JsonValueKind.String),
            "enum" => value is JsonArray { Count: > 0 },
            "minLength" or "maxLength" or "minItems" or "maxItems" or "minProperties" or "maxProperties" =>
                kind == JsonValueKind.Number && ExactNumber.Parse(value!.ToJsonString()) is var n && n.Significand.Sign >= 0 && n.IsInteger,
            "minimum" or "maximum" or "exclusiveMinimum" or "exclusiveMaximum" => kind == JsonValueKind.Number,
            // Exact: 1e-400 is a positive step (a double would call it 0) and 1e400 one too (a double would overflow).
            "multipleOf" => kind == JsonValueKind.Number && ExactNumber.Parse(value!.ToJsonString()).Significand.Sign > 0,
            "uniqueItems" or "readOnly" or "writeOnly" => kind is JsonValueKind.True or JsonValueKind.False,
            "$id" or "$comment" or "title" or "description" => kind == JsonValueKind.String,
            _ => true,
        };
        if (!ok) problems.Add(new(at, "invalid-keyword-value", $"The value of '{keyword}' is not what draft-07 allows there."));
    }

    /// <summary>
    /// The $refs of a document and the subschemas applied to the same value (allOf/anyOf/oneOf/not,
    /// $ref): every $ref must land on a vetted schema, and no chain of them may loop without
    /// descending into the value, which would recurse forever.
    /// </summary>
    sealed class RefGraph
    {
        readonly Dictionary<string, List<string>> _edges = new(StringComparer.Ordinal);
        readonly List<(string At, string Reference, string Target)> _refs = [];

        public HashSet<string> Schemas { get; } = new(StringComparer.Ordinal);

        public void AddEdge(string from, string to)
        {
            if (!_edges.TryGetValue(from, out var list)) _edges[from] = list = [];
            list.Add(to);
        }

        public void AddRef(string from, string at, string reference)
        {
            var target = SchemaPointers.TryFromFragment(reference);
            _refs.Add((at, reference, target ?? "\0"));
            if (target is not null) AddEdge(from, target);
        }

        public void Check(JsonObject root, List<ProblemItem> problems)
        {
            foreach (var (at, reference, target) in _refs)
            {
                if (Schemas.Contains(target)) continue;
                var found = false;
                if (target != "\0") SchemaPointers.Find(root, target, out found);
                problems.Add(new(at, "unresolved-ref", target == "\0" ? $"'{reference}' is not a JSON Pointer (#/…) into this document."
                    : found ? $"'{reference}' does not point at a schema the exchange has checked (the root, properties, definitions, items…)."
                    : $"'{reference}' points at nothing in this document."));
            }
            var state = new Dictionary<string, bool>(StringComparer.Ordinal);
            foreach (var start in _edges.Keys)
                if (Loops(start, state))
                {
                    problems.Add(new(start, "ref-cycle", "These $refs loop back to the same value without descending into it; validation would never end."));
                    return;
                }
        }

        // Depth-first search: false while on the stack, true once finished.
        bool Loops(string node, Dictionary<string, bool> state)
        {
            if (state.TryGetValue(node, out var finished)) return !finished;
            state[node] = false;
            foreach (var next in _edges.GetValueOrDefault(node) ?? [])
                if (Loops(next, state)) return true;
            state[node] = true;
            return false;
        }
    }
}
