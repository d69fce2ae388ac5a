using System.Text.Json;
using System.Text.Json.Nodes;
using DataExchange.Core.Datasets.Schemas;

namespace DataExchange.Core.Datasets.Compatibility;

internal sealed partial class SchemaDiff
{
    // Content models as Confluent names them: closed (additionalProperties false), open (absent or
    // true) or partially open (a schema that unknown properties must match).
    void CompareObject(JsonObject w, JsonObject r, string at, int depth)
    {
        var wProps = w["properties"] as JsonObject ?? [];
        var rProps = r["properties"] as JsonObject ?? [];
        var wAdditional = w["additionalProperties"];
        var rAdditional = r["additionalProperties"];

        var wRequired = Names(w["required"]);
        foreach (var name in Names(r["required"]).Where(n => !wRequired.Contains(n)))
        {
            if (rProps[name] is JsonObject p && p.ContainsKey("default")) continue; // REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED is compatible
            Add($"{at}/required", "REQUIRED_ATTRIBUTE_ADDED", w["required"], r["required"], $"{ReaderName} requires '{name}', which {WriterName} did not, and gives no default.");
        }

        if (IsFalse(rAdditional) && !IsFalse(wAdditional))
            Add(at + "/additionalProperties", "ADDITIONAL_PROPERTIES_ADDED", wAdditional, rAdditional, $"{ReaderName} closes the content model: unknown properties are refused.");
        else if (rAdditional is JsonObject && !IsTrue(rAdditional) && !IsFalse(wAdditional))
        {
            var before = issues.Count;
            Compare(wAdditional ?? true, rAdditional, at + "/additionalProperties", depth + 1);
            if (issues.Count > before && IsTrue(wAdditional))
            {
                issues.RemoveRange(before, issues.Count - before);
                Add(at + "/additionalProperties", "ADDITIONAL_PROPERTIES_NARROWED", wAdditional, rAdditional, $"{ReaderName} constrains unknown properties.");
            }
        }

        foreach (var (name, wp) in wProps)
        {
            var here = at + "/properties/" + SchemaPointers.Escape(name);
            if (rProps.ContainsKey(name)) Compare(wp, rProps[name], here, depth + 1);
            else if (IsFalse(rAdditional))
                Add(here, "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL", wp, null, $"'{name}' is gone and {ReaderName} refuses unknown properties.");
            else if (!IsTrue(rAdditional) && !Covered(wp, rAdditional, here, depth))
                Add(here, "PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", wp, rAdditional, $"'{name}' is gone and its values do not all match {ReaderName}'s additionalProperties.");
        }
        foreach (var (name, rp) in rProps)
        {
            if (wProps.ContainsKey(name) || IsFalse(wAdditional) || IsTrue(rp)) continue;
            var here = at + "/properties/" + SchemaPointers.Escape(name);
            if (IsTrue(wAdditional))
                Add(here, "PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL", null, rp, $"'{name}' is new, but {WriterName} was open: data may already hold '{name}' with any value.");
            else if (!Covered(wAdditional, rp, here, depth))
                Add(here, "PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", wAdditional, rp, $"'{name}' is new and stricter than {WriterName}'s additionalProperties.");
        }
    }

    // A trial comparison: whether values of `writer` all pass `reader`, without keeping its issues.
    bool Covered(JsonNode? writer, JsonNode? reader, string at, int depth)
    {
        var before = issues.Count;
        Compare(writer, reader, at, depth + 1);
        var covered = issues.Count == before;
        issues.RemoveRange(before, issues.Count - before);
        return covered;
    }

    void CompareCombinators(JsonObject w, JsonObject r, string at, int depth)
    {
        foreach (var keyword in (string[])["anyOf", "oneOf", "allOf"])
        {
            var rList = r[keyword] as JsonArray;
            var wList = w[keyword] as JsonArray;
            if (rList is null) continue; // dropping a combinator only relaxes the reader
            var here = at + "/" + keyword;
            if (wList is null)
            {
                Add(here, "COMBINED_TYPE_ADDED", null, rList, $"{ReaderName} adds {keyword}.");
                continue;
            }
            for (var i = 0; i < Math.Min(wList.Count, rList.Count); i++) Compare(wList[i], rList[i], $"{here}/{i}", depth + 1);
            if (keyword == "allOf" && rList.Count > wList.Count)
                Add(here, "PRODUCT_TYPE_EXTENDED", wList, rList, $"{ReaderName} adds schemas every value must match (allOf).");
            if (keyword != "allOf" && rList.Count < wList.Count)
                Add(here, "SUM_TYPE_NARROWED", wList, rList, $"{ReaderName} drops alternatives from {keyword}.");
        }
        if (r["not"] is { } not && !(w["not"] is { } was && JsonNode.DeepEquals(was, not)))
            Add(at + "/not", w["not"] is null ? "NOT_TYPE_ADDED" : "NOT_TYPE_CHANGED", w["not"], not, $"{ReaderName} excludes other values (not).");
    }

    static HashSet<string> Names(JsonNode? list) =>
        list is JsonArray a ? [.. a.Where(n => n?.GetValueKind() == JsonValueKind.String).Select(n => n!.GetValue<string>())] : [];
}
