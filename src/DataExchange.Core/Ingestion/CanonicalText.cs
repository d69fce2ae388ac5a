using System.Globalization;
using System.Text;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace DataExchange.Core.Ingestion;

/// <summary>
/// Writes the scalars of a CSV record's canonical JSON straight into a <see cref="StringBuilder"/>,
/// character for character as <see cref="RecordShaper.Canonical"/> (Newtonsoft's JsonTextWriter with its
/// defaults) writes them: the same string escaping, decimals as <see cref="JsonConvert.ToString(decimal)"/> writes them.
/// </summary>
internal static class CanonicalText
{
    /// <summary>A JSON string literal: quoted, escaped as JsonTextWriter escapes by default.</summary>
    public static void AppendString(StringBuilder sb, string value)
    {
        sb.Append('"');
        var start = 0;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c >= ' ' && c != '"' && c != '\\' && c != '\u0085' && c != '\u2028' && c != '\u2029') continue;
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

    /// <summary>As <see cref="JsonConvert.ToString(decimal)"/>: invariant digits, ".0" added when there is no decimal point.</summary>
    static void AppendDecimal(StringBuilder sb, decimal d)
    {
        Span<char> digits = stackalloc char[64];
        if (!d.TryFormat(digits, out var n, default, CultureInfo.InvariantCulture))
        {
            sb.Append(JsonConvert.ToString(d));
            return;
        }
        sb.Append(digits[..n]);
        if (digits[..n].IndexOf('.') < 0) sb.Append(".0");
    }

    /// <summary>A coerced CSV cell: null, boolean, long, decimal or string.</summary>
    public static void AppendScalar(StringBuilder sb, JValue value)
    {
        switch (value.Value)
        {
            case null: sb.Append("null"); break;
            case bool b: sb.Append(b ? "true" : "false"); break;
            case long l: sb.Append(CultureInfo.InvariantCulture, $"{l}"); break;
            case decimal d: AppendDecimal(sb, d); break;
            case string s: AppendString(sb, s); break;
            default: throw new InvalidOperationException($"A CSV cell cannot hold a {value.Type} value.");
        }
    }
}
