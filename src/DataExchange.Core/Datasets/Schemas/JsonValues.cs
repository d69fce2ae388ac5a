using System.Text.Json;

namespace DataExchange.Core.Datasets.Schemas;

/// <summary>
/// JSON Schema's notion of values: numbers compare by exact value (1.0 equals 1, 1e2 equals 100, at any
/// precision), booleans are never numbers, and objects are equal regardless of member order.
/// </summary>
internal static class JsonValues
{
    /// <summary>Deep equality in the JSON data model (enum, const, uniqueItems).</summary>
    public static bool DeepEquals(in JsonItem a, in JsonItem b)
    {
        if (a.Kind != b.Kind) return false;
        switch (a.Kind)
        {
            case JsonValueKind.Number:
                return a.NumberText == b.NumberText || a.Number == b.Number;
            case JsonValueKind.String:
                return a.String == b.String;
            case JsonValueKind.Array:
                if (a.Element.GetArrayLength() != b.Element.GetArrayLength()) return false;
                using (var x = a.Element.EnumerateArray().GetEnumerator())
                using (var y = b.Element.EnumerateArray().GetEnumerator())
                    while (x.MoveNext() && y.MoveNext())
                        if (!DeepEquals(JsonItem.Of(x.Current), JsonItem.Of(y.Current))) return false;
                return true;
            case JsonValueKind.Object:
                if (a.Element.GetPropertyCount() != b.Element.GetPropertyCount()) return false;
                foreach (var p in a.Element.EnumerateObject())
                    if (!b.Element.TryGetProperty(p.Name, out var other) || !DeepEquals(JsonItem.Of(p.Value), JsonItem.Of(other))) return false;
                return true;
            default:
                return true; // true, false, null: the kind is the value
        }
    }

    /// <summary>Length in Unicode code points, as JSON Schema counts it (a surrogate pair is one character).</summary>
    public static int CodePoints(string s)
    {
        var n = s.Length;
        for (var i = 0; i + 1 < s.Length; i++)
            if (char.IsHighSurrogate(s[i]) && char.IsLowSurrogate(s[i + 1])) { n--; i++; }
        return n;
    }
}
