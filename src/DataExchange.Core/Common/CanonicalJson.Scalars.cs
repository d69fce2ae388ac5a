using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using DataExchange.Core.Datasets.Schemas;
using DataExchange.Core.Ingestion;

namespace DataExchange.Core.Common;

/// <summary>Strings and numbers of the canonical form, in either style.</summary>
public static partial class CanonicalJson
{
    /// <summary>A record-style JSON string literal; throws <see cref="CanonicalFormException"/> on a lone surrogate (jsonb cannot store one).</summary>
    internal static void AppendString(StringBuilder sb, string value) => AppendString(sb, value, CanonicalStyle.Record);

    // The characters a record-style string literal escapes: controls, the quote and the backslash.
    static readonly System.Buffers.SearchValues<char> Escaped = System.Buffers.SearchValues.Create(
        [.. Enumerable.Range(0, ' ').Select(c => (char)c), '"', '\\']);

    static void AppendString(StringBuilder sb, string value, CanonicalStyle style)
    {
        if (style == CanonicalStyle.Relaxed)
        {
            sb.Append('"').Append(JavaScriptEncoder.UnsafeRelaxedJsonEscaping.Encode(value)).Append('"');
            return;
        }
        // Most strings need no escape and hold no surrogate: copied whole after two vectorised scans.
        if (value.AsSpan().IndexOfAny(Escaped) < 0 && !value.AsSpan().ContainsAnyInRange('\uD800', '\uDFFF'))
        {
            sb.Append('"').Append(value).Append('"');
            return;
        }
        sb.Append('"');
        var start = 0;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsSurrogate(c))
            {
                if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1])) { i++; continue; }
                throw CanonicalFormException.InvalidUnicode();
            }
            if (c >= ' ' && c != '"' && c != '\\') continue;
            sb.Append(value, start, i - start);
            start = i + 1;
            switch (c)
            {
                case '\t': sb.Append("\\t"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\f': sb.Append("\\f"); break;
                case '\b': sb.Append("\\b"); break;
                case '\\': sb.Append("\\\\"); break;
                case '"': sb.Append("\\\""); break;
                default: sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)); break;
            }
        }
        sb.Append(value, start, value.Length - start).Append('"');
    }

    /// <summary>"name": as a record member name is written, computed once per CSV header.</summary>
    internal static string MemberName(string name)
    {
        var sb = new StringBuilder(name.Length + 3);
        AppendString(sb, name);
        return sb.Append(':').ToString();
    }

    /// <summary>A JSON number, as PostgreSQL numeric writes its exact value; throws when numeric cannot hold it.</summary>
    static void AppendNumber(StringBuilder sb, string json)
    {
        if (ExactNumber.IsCanonicalJson(json))
        {
            sb.Append(json);
            return;
        }
        var n = ExactNumber.Parse(json);
        if (!n.IsStorable) throw CanonicalFormException.OutOfRange(json);
        n.AppendTo(sb);
    }

    /// <summary>A record-style scalar (a coerced CSV cell or a JSON scalar).</summary>
    internal static void AppendScalar(StringBuilder sb, in JsonItem value) => AppendScalar(sb, value, CanonicalStyle.Record);

    static void AppendScalar(StringBuilder sb, in JsonItem value, CanonicalStyle style)
    {
        switch (value.Kind)
        {
            case JsonValueKind.Null: sb.Append("null"); break;
            case JsonValueKind.True: sb.Append("true"); break;
            case JsonValueKind.False: sb.Append("false"); break;
            case JsonValueKind.Number when style == CanonicalStyle.Relaxed: sb.Append(value.NumberText); break;
            case JsonValueKind.Number: AppendNumber(sb, value.NumberText); break;
            case JsonValueKind.String: AppendString(sb, ReadString(value), style); break;
            default: Append(sb, value.Element, null, style); break;
        }
    }

    // System.Text.Json refuses to decode an escaped lone surrogate ("\ud800"): the same refusal as jsonb's.
    static string ReadString(in JsonItem value)
    {
        try { return value.String; }
        catch (InvalidOperationException) { throw CanonicalFormException.InvalidUnicode(); }
    }
}
