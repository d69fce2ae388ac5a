using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DataExchange.Core.Datasets.Schemas;
using DataExchange.Core.Ingestion;

namespace DataExchange.Core.Common;

/// <summary>How the canonical writer escapes strings and writes numbers; each style is pinned by the hashes on record.</summary>
public enum CanonicalStyle
{
    /// <summary>
    /// Records (README, "Canonical form"): strings escape only '"', '\' and U+0000–U+001F (\b \f \n \r \t, else
    /// \u00xx), numbers in PostgreSQL numeric's text of the exact value, exactly as jsonb renders both; a lone
    /// surrogate or a number numeric cannot hold is refused.
    /// </summary>
    Record,

    /// <summary>
    /// Audit entries, schema fingerprints and policy hashes: strings escaped as
    /// <see cref="System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping"/> escapes them (also
    /// astral planes, U+2028/2029, DEL and C1 controls, with uppercase hex; a lone surrogate as U+FFFD), numbers
    /// as written. dx's offline verifier writes the same bytes (AuditHashVectorTests).
    /// </summary>
    Relaxed,
}

/// <summary>
/// The one canonical JSON writer, in the manner of RFC 8785: object members sorted by name (ordinal, UTF-16),
/// no insignificant whitespace, of duplicate names only the last (as jsonb keeps it); strings and numbers as the
/// <see cref="CanonicalStyle"/> says. Equal content always hashes equal, whatever the member order of the source
/// or of jsonb.
/// </summary>
public static partial class CanonicalJson
{
    /// <summary>The canonical UTF-8 bytes of <paramref name="node"/> in the relaxed style.</summary>
    public static byte[] ToBytes(JsonNode? node) => Encoding.UTF8.GetBytes(ToText(node));

    /// <summary>The canonical text of <paramref name="node"/> in the relaxed style.</summary>
    public static string ToText(JsonNode? node)
    {
        if (node is null) return "null";
        // The node is walked as the document it writes: one walk for nodes and parsed records alike. The buffer and writer
        // are the thread's own, reused (issue 16: a writer's first growth alone is 4 KB, and every audit entry came here).
        return Scratch.Use(node, static (buffer, node) =>
        {
            using var document = JsonDocument.Parse(buffer, new JsonDocumentOptions { MaxDepth = 256 });
            var sb = new StringBuilder(buffer.Length);
            Append(sb, document.RootElement, null, CanonicalStyle.Relaxed);
            return sb.ToString();
        });
    }

    static readonly JsonScratch Scratch = new(new JsonWriterOptions { SkipValidation = true });

    /// <summary>SHA-256 of the canonical bytes (relaxed style).</summary>
    public static byte[] Sha256(JsonNode? node) => SHA256.HashData(ToBytes(node));

    /// <summary>The record-style canonical text of any JSON value; throws <see cref="CanonicalFormException"/>.</summary>
    internal static string Of(JsonElement value) => Of(value, null, out _);

    /// <summary>
    /// The record-style canonical text of <paramref name="record"/> without its member <paramref name="skip"/>;
    /// <paramref name="rewritten"/> is true when the text holds less than the element (the skipped member,
    /// or a duplicate name of which only the last value is kept, as jsonb keeps it).
    /// </summary>
    internal static string Of(JsonElement record, string? skip, out bool rewritten)
    {
        var sb = new StringBuilder(256);
        rewritten = Append(sb, record, skip, CanonicalStyle.Record);
        return sb.ToString();
    }

    static bool Append(StringBuilder sb, JsonElement value, string? skip, CanonicalStyle style)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object: return AppendObject(sb, value, skip, style);
            case JsonValueKind.Array:
                var rewritten = false;
                sb.Append('[');
                var i = 0;
                foreach (var item in value.EnumerateArray())
                {
                    if (i > 0) sb.Append(',');
                    try { rewritten |= Append(sb, item, null, style); }
                    catch (CanonicalFormException e) { throw e.Under(i.ToString(System.Globalization.CultureInfo.InvariantCulture)); }
                    i++;
                }
                sb.Append(']');
                return rewritten;
            default:
                AppendScalar(sb, JsonItem.Of(value), style);
                return false;
        }
    }

    static bool AppendObject(StringBuilder sb, JsonElement value, string? skip, CanonicalStyle style)
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
                AppendString(sb, name, style);
                sb.Append(':');
                rewritten |= Append(sb, member, null, style);
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
