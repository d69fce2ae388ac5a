using System.Globalization;
using System.Text;
using System.Text.Json;
using DataExchange.Core.Common;
using DataExchange.Core.Datasets.Schemas;

namespace DataExchange.Core.Ingestion;

/// <summary>
/// The canonical form of a record, the input of its SHA-256 and the text staged into jsonb (README,
/// "Canonical form"): UTF-8, members sorted by ordinal (UTF-16) name, no whitespace; strings escape only
/// '"', '\' and U+0000–U+001F (\b \f \n \r \t, else \u00xx); numbers in PostgreSQL numeric's own text of
/// the exact value (<see cref="ExactNumber"/>). Strings and numbers are then written exactly as jsonb
/// renders them, so a consumer can re-hash what it is served and a stored row can be re-hashed from its
/// jsonb (jsonb orders members by length first and adds spaces, so members are re-sorted and re-joined).
/// </summary>
internal static partial class CanonicalText
{
    /// <summary>A JSON string literal; throws <see cref="CanonicalFormException"/> on a lone surrogate (jsonb cannot store one).</summary>
    public static void AppendString(StringBuilder sb, string value)
    {
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

    /// <summary>"name": as a member name is written, computed once per CSV header.</summary>
    public static string MemberName(string name)
    {
        var sb = new StringBuilder(name.Length + 3);
        AppendString(sb, name);
        return sb.Append(':').ToString();
    }

    /// <summary>A JSON number, as PostgreSQL numeric writes its exact value; throws when numeric cannot hold it.</summary>
    public static void AppendNumber(StringBuilder sb, string json)
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

    /// <summary>A scalar (a coerced CSV cell or a JSON scalar).</summary>
    public static void AppendScalar(StringBuilder sb, in JsonItem value)
    {
        switch (value.Kind)
        {
            case JsonValueKind.Null: sb.Append("null"); break;
            case JsonValueKind.True: sb.Append("true"); break;
            case JsonValueKind.False: sb.Append("false"); break;
            case JsonValueKind.Number: AppendNumber(sb, value.NumberText); break;
            case JsonValueKind.String: AppendString(sb, ReadString(value)); break;
            default: Append(sb, value.Element, null); break;
        }
    }

    // System.Text.Json refuses to decode an escaped lone surrogate ("\ud800"): the same refusal as jsonb's.
    static string ReadString(in JsonItem value)
    {
        try { return value.String; }
        catch (InvalidOperationException) { throw CanonicalFormException.InvalidUnicode(); }
    }
}
