namespace DataExchange.Core.Datasets.Schemas;

public static partial class StrictFormats
{
    /// <summary>RFC 6901: empty, or "/"-prefixed tokens where "~" is followed by 0 or 1.</summary>
    static bool IsJsonPointer(string v)
    {
        if (v.Length > 0 && v[0] != '/') return false;
        for (var i = 0; i < v.Length; i++)
            if (v[i] == '~' && (i + 1 == v.Length || v[i + 1] is not ('0' or '1'))) return false;
        return true;
    }

    /// <summary>draft-handrews-relative-json-pointer: a non-negative integer, then "#" or a JSON Pointer.</summary>
    static bool IsRelativeJsonPointer(string v)
    {
        var i = 0;
        while (i < v.Length && char.IsAsciiDigit(v[i])) i++;
        if (i == 0 || (i > 1 && v[0] == '0')) return false;
        var rest = v[i..];
        return rest == "#" || IsJsonPointer(rest);
    }

    /// <summary>RFC 6570 level 4: literals (no space, quote, angle bracket, backslash, caret, backtick, brace or bar) and expressions.</summary>
    static bool IsUriTemplate(string v)
    {
        for (var i = 0; i < v.Length; i++)
        {
            var c = v[i];
            if (c == '{')
            {
                var close = v.IndexOf('}', i);
                if (close < 0 || !IsExpression(v[(i + 1)..close])) return false;
                i = close;
            }
            else if (c == '%')
            {
                if (!IsPercentEncoded(v, i)) return false;
                i += 2;
            }
            else if (c <= ' ' || c == 0x7F || "\"<>\\^`{|}".Contains(c, StringComparison.Ordinal)) return false;
        }
        return true;
    }

    static bool IsExpression(string e)
    {
        if (e.Length > 0 && "+#./;?&".Contains(e[0], StringComparison.Ordinal)) e = e[1..];
        foreach (var spec in e.Split(','))
        {
            var name = spec;
            var colon = spec.IndexOf(':', StringComparison.Ordinal);
            if (colon >= 0)
            {
                var max = spec[(colon + 1)..];
                if (max.Length is 0 or > 4 || max[0] is < '1' or > '9' || !max.All(char.IsAsciiDigit)) return false;
                name = spec[..colon];
            }
            else if (spec.EndsWith('*')) name = spec[..^1];
            if (!IsVarName(name)) return false;
        }
        return true;
    }

    static bool IsVarName(string name)
    {
        if (name.Length == 0 || name[0] == '.' || name[^1] == '.' || name.Contains("..", StringComparison.Ordinal)) return false;
        for (var i = 0; i < name.Length; i++)
        {
            if (name[i] == '%')
            {
                if (!IsPercentEncoded(name, i)) return false;
                i += 2;
            }
            else if (!char.IsAsciiLetterOrDigit(name[i]) && name[i] is not ('_' or '.')) return false;
        }
        return true;
    }

    internal static bool IsPercentEncoded(string v, int at) => at + 2 < v.Length && char.IsAsciiHexDigit(v[at + 1]) && char.IsAsciiHexDigit(v[at + 2]);
}
