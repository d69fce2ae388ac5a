using System.Text.Json;
using System.Text.Json.Nodes;
using DataExchange.Core.Datasets.Schemas;

namespace DataExchange.Core.Datasets.Compatibility;

/// <summary>
/// One direction of a compatibility check: can <c>reader</c> accept everything <c>writer</c>
/// accepts? Walks both schemas side by side (local $refs resolved) and reports, under Confluent's
/// rule names, each place where the reader is stricter. Relaxations are silently compatible.
/// </summary>
internal sealed partial class SchemaDiff(JsonObject writerRoot, JsonObject readerRoot, bool writerIsOld, List<CompatibilityIssue> issues)
{
    // Recursive schemas ("$ref": "#") would otherwise be walked forever; 32 matches the vetter's depth limit.
    const int MaxDepth = 32;
    readonly HashSet<(JsonNode?, JsonNode?)> _inProgress = [];

    string ReaderName => writerIsOld ? "the new schema" : "the old schema";
    string WriterName => writerIsOld ? "the old schema" : "the new schema";

    public void Compare(JsonNode? writer, JsonNode? reader, string at, int depth = 0)
    {
        writer = Resolve(writer, writerRoot);
        reader = Resolve(reader, readerRoot);
        if (depth > MaxDepth || IsFalse(writer) || IsTrue(reader)) return; // nothing written, or anything read
        if (!_inProgress.Add((writer, reader))) return; // a recursive $ref already being compared
        try { CompareResolved(writer, reader, at, depth); }
        finally { _inProgress.Remove((writer, reader)); }
    }

    void CompareResolved(JsonNode? writer, JsonNode? reader, string at, int depth)
    {
        if (IsFalse(reader))
        {
            Add(at, "SCHEMA_NARROWED", writer, reader, $"{ReaderName} accepts no value here.");
            return;
        }
        var w = writer as JsonObject ?? [];
        var r = (JsonObject)reader!;
        CompareType(w, r, at);
        CompareEnum(w, r, at);
        UpperBound(w, r, at, "maxLength", "MAX_LENGTH");
        LowerBound(w, r, at, "minLength", "MIN_LENGTH");
        UpperBound(w, r, at, "maximum", "MAXIMUM");
        LowerBound(w, r, at, "minimum", "MINIMUM");
        UpperBound(w, r, at, "exclusiveMaximum", "EXCLUSIVE_MAXIMUM");
        LowerBound(w, r, at, "exclusiveMinimum", "EXCLUSIVE_MINIMUM");
        UpperBound(w, r, at, "maxItems", "MAX_ITEMS");
        LowerBound(w, r, at, "minItems", "MIN_ITEMS");
        UpperBound(w, r, at, "maxProperties", "MAX_PROPERTIES");
        LowerBound(w, r, at, "minProperties", "MIN_PROPERTIES");
        Changed(w, r, at, "pattern", "PATTERN");
        Changed(w, r, at, "format", "FORMAT");
        CompareMultipleOf(w, r, at);
        if (r["uniqueItems"]?.GetValueKind() == JsonValueKind.True && w["uniqueItems"]?.GetValueKind() != JsonValueKind.True)
            Add(at + "/uniqueItems", "UNIQUE_ITEMS_ADDED", w["uniqueItems"], r["uniqueItems"], $"{ReaderName} requires unique items.");
        if (w.ContainsKey("items") || r.ContainsKey("items"))
            Compare(w["items"] ?? true, r["items"] ?? true, at + "/items", depth + 1);
        CompareObject(w, r, at, depth);
        CompareCombinators(w, r, at, depth);
    }

    JsonNode? Resolve(JsonNode? node, JsonObject root)
    {
        for (var hops = 0; hops < MaxDepth && node is JsonObject o && o["$ref"]?.GetValueKind() == JsonValueKind.String; hops++)
        {
            var pointer = SchemaPointers.TryFromFragment(o["$ref"]!.GetValue<string>());
            if (pointer is null) return node;
            node = SchemaPointers.Find(root, pointer);
        }
        return node;
    }

    void CompareType(JsonObject w, JsonObject r, string at)
    {
        var readerTypes = Types(r["type"]);
        if (readerTypes is null) return;
        var writerTypes = Types(w["type"]) ?? ["null", "boolean", "object", "array", "number", "string"];
        bool Accepts(string t) => readerTypes.Contains(t) || (t == "integer" && readerTypes.Contains("number"));
        var lost = writerTypes.Where(t => !Accepts(t)).ToList();
        if (lost.Count == 0) return;
        // number → integer keeps the integral values, so it narrows rather than changes the type.
        var overlaps = writerTypes.Any(Accepts) || (writerTypes.Contains("number") && readerTypes.Contains("integer"));
        var rule = overlaps ? "TYPE_NARROWED" : "TYPE_CHANGED";
        Add(at + "/type", rule, w["type"], r["type"], $"{ReaderName} no longer accepts {string.Join(", ", lost)}.");
    }

    static HashSet<string>? Types(JsonNode? type) => type switch
    {
        null => null,
        JsonArray list => [.. list.Select(t => t!.GetValue<string>())],
        _ => [type.GetValue<string>()],
    };

    void CompareEnum(JsonObject w, JsonObject r, string at)
    {
        if (r["enum"] is not JsonArray allowed) return;
        if (w["enum"] is not JsonArray written)
        {
            Add(at + "/enum", "ENUM_ARRAY_NARROWED", null, allowed, $"{ReaderName} restricts the value to a list.");
            return;
        }
        var missing = written.Where(v => !allowed.Any(a => JsonNode.DeepEquals(a, v))).ToList();
        if (missing.Count > 0)
            Add(at + "/enum", "ENUM_ARRAY_NARROWED", written, allowed, $"{ReaderName} no longer allows {string.Join(", ", missing.Select(m => m?.ToJsonString()))}.");
    }

    void UpperBound(JsonObject w, JsonObject r, string at, string keyword, string rule)
    {
        if (Number(r[keyword]) is not { } limit) return;
        if (Number(w[keyword]) is not { } was)
            Add(at + "/" + keyword, rule + "_ADDED", null, r[keyword], $"{ReaderName} adds {keyword} {limit}.");
        else if (limit < was)
            Add(at + "/" + keyword, rule + "_DECREASED", w[keyword], r[keyword], $"{ReaderName} lowers {keyword} from {was} to {limit}.");
    }

    void LowerBound(JsonObject w, JsonObject r, string at, string keyword, string rule)
    {
        if (Number(r[keyword]) is not { } limit) return;
        var was = Number(w[keyword]);
        // minLength/minItems/minProperties of 0 constrain nothing, so adding one is no change.
        if (was is null && limit.IsZero && keyword is "minLength" or "minItems" or "minProperties") return;
        if (was is null)
            Add(at + "/" + keyword, rule + "_ADDED", null, r[keyword], $"{ReaderName} adds {keyword} {limit}.");
        else if (limit > was)
            Add(at + "/" + keyword, rule + "_INCREASED", w[keyword], r[keyword], $"{ReaderName} raises {keyword} from {was} to {limit}.");
    }

    void Changed(JsonObject w, JsonObject r, string at, string keyword, string rule)
    {
        if (r[keyword] is not { } now) return;
        if (w[keyword] is not { } was)
            Add(at + "/" + keyword, rule + "_ADDED", null, now, $"{ReaderName} adds {keyword} {now.ToJsonString()}.");
        else if (!JsonNode.DeepEquals(was, now))
            Add(at + "/" + keyword, rule + "_CHANGED", was, now, $"{ReaderName} changes {keyword} from {was.ToJsonString()} to {now.ToJsonString()}.");
    }

    void CompareMultipleOf(JsonObject w, JsonObject r, string at)
    {
        if (Number(r["multipleOf"]) is not { } step) return;
        if (Number(w["multipleOf"]) is not { } was)
            Add(at + "/multipleOf", "MULTIPLE_OF_ADDED", null, r["multipleOf"], $"{ReaderName} requires multiples of {step}.");
        else if (!was.IsMultipleOf(step))
            Add(at + "/multipleOf", "MULTIPLE_OF_CHANGED", w["multipleOf"], r["multipleOf"], $"Multiples of {was} are not all multiples of {step}.");
    }

    // Exact, as the evaluator compares: a limit beyond decimal (1e400, 0.30000000000000000000000000001) still counts.
    static Common.ExactNumber? Number(JsonNode? node) =>
        node?.GetValueKind() == JsonValueKind.Number ? Common.ExactNumber.Parse(node.ToJsonString()) : null;

    static bool IsTrue(JsonNode? n) => n is null || n.GetValueKind() == JsonValueKind.True || n is JsonObject { Count: 0 };
    static bool IsFalse(JsonNode? n) => n?.GetValueKind() == JsonValueKind.False;

    void Add(string at, string rule, JsonNode? writerValue, JsonNode? readerValue, string message)
    {
        var (oldValue, newValue) = writerIsOld ? (writerValue, readerValue) : (readerValue, writerValue);
        var why = writerIsOld ? "new readers must read data written with the old schema" : "old readers must read data written with the new schema";
        issues.Add(new CompatibilityIssue(at, rule, oldValue?.ToJsonString() ?? "", newValue?.ToJsonString() ?? "", $"{message} ({why}; {WriterName} allowed it)"));
    }
}
