using System.Text;
using System.Text.Json;
using DataExchange.Core.Datasets.Schemas;

namespace DataExchange.Core.Ingestion;

/// <summary>The canonical form of a parsed JSON value.</summary>
internal static partial class CanonicalText
{
    /// <summary>
    /// The canonical text of the record <paramref name="record"/> without its member <paramref name="skip"/>;
    /// <paramref name="rewritten"/> is true when the text holds less than the element (the skipped member,
    /// or a duplicate name of which only the last value is kept, as jsonb keeps it).
    /// </summary>
    public static string Of(JsonElement record, string? skip, out bool rewritten)
    {
        var sb = new StringBuilder(256);
        rewritten = Append(sb, record, skip);
        return sb.ToString();
    }

    /// <summary>The canonical text of any JSON value.</summary>
    public static string Of(JsonElement value) => Of(value, null, out _);

    static bool Append(StringBuilder sb, JsonElement value, string? skip)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object: return AppendObject(sb, value, skip);
            case JsonValueKind.Array:
                var rewritten = false;
                sb.Append('[');
                var i = 0;
                foreach (var item in value.EnumerateArray())
                {
                    if (i > 0) sb.Append(',');
                    try { rewritten |= Append(sb, item, null); }
                    catch (CanonicalFormException e) { throw e.Under(i.ToString(System.Globalization.CultureInfo.InvariantCulture)); }
                    i++;
                }
                sb.Append(']');
                return rewritten;
            default:
                AppendScalar(sb, JsonItem.Of(value));
                return false;
        }
    }

    static bool AppendObject(StringBuilder sb, JsonElement value, string? skip)
    {
        var members = new List<(string Name, JsonElement Value)>(value.GetPropertyCount());
        foreach (var p in value.EnumerateObject())
        {
            string name;
            try { name = p.Name; }
            catch (InvalidOperationException) { throw CanonicalFormException.InvalidUnicode(); }
            members.Add((name, p.Value));
        }
        var rewritten = false;
        // A stable sort: of duplicate names the last stays last, and only it is written.
        var sorted = members.Count < 2 || IsSorted(members) ? members : [.. members.OrderBy(m => m.Name, StringComparer.Ordinal)];
        sb.Append('{');
        var first = true;
        for (var i = 0; i < sorted.Count; i++)
        {
            var (name, member) = sorted[i];
            if (name == skip || (i + 1 < sorted.Count && sorted[i + 1].Name == name))
            {
                rewritten = true;
                continue;
            }
            if (!first) sb.Append(',');
            first = false;
            try
            {
                AppendString(sb, name);
                sb.Append(':');
                rewritten |= Append(sb, member, null);
            }
            catch (CanonicalFormException e) { throw e.Under(SchemaPointers.Escape(name)); }
        }
        sb.Append('}');
        return rewritten;
    }

    static bool IsSorted(List<(string Name, JsonElement Value)> members)
    {
        for (var i = 1; i < members.Count; i++)
            if (string.CompareOrdinal(members[i - 1].Name, members[i].Name) > 0) return false;
        return true;
    }
}
