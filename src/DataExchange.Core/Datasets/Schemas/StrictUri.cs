namespace DataExchange.Core.Datasets.Schemas;

/// <summary>
/// RFC 3986 URIs and URI references, and RFC 3987 IRIs (the same grammar with non-ASCII characters allowed).
/// <see cref="Uri.TryCreate(string, UriKind, out Uri)"/> repairs what it can (escapes spaces, '^', non-ASCII…),
/// so it says yes to strings the RFC refuses; this follows the ABNF.
/// </summary>
internal static class StrictUri
{
    const string SubDelims = "!$&'()*+,;=";

    /// <summary>Whether <paramref name="v"/> is a URI (or, unless <paramref name="absolute"/>, a relative reference); IRIs with <paramref name="iri"/>.</summary>
    public static bool Is(string v, bool absolute, bool iri)
    {
        var hash = v.IndexOf('#', StringComparison.Ordinal);
        if (hash >= 0 && !AllOf(v[(hash + 1)..], iri, "/?:@", privateUse: false)) return false;
        var rest = hash < 0 ? v : v[..hash];
        var question = rest.IndexOf('?', StringComparison.Ordinal);
        if (question >= 0 && !AllOf(rest[(question + 1)..], iri, "/?:@", privateUse: iri)) return false;
        rest = question < 0 ? rest : rest[..question];
        var scheme = SchemeLength(rest);
        if (scheme < 0 && absolute) return false;
        rest = scheme < 0 ? rest : rest[(scheme + 1)..];
        if (rest.StartsWith("//", StringComparison.Ordinal))
        {
            var end = rest.IndexOf('/', 2);
            return IsAuthority(end < 0 ? rest[2..] : rest[2..end], iri) && AllOf(end < 0 ? "" : rest[end..], iri, "/:@", privateUse: false);
        }
        // path-noscheme: a relative reference's first segment has no ":" (it would read as a scheme).
        var firstSegment = rest.Split('/')[0];
        if (scheme < 0 && firstSegment.Contains(':')) return false;
        return AllOf(rest, iri, "/:@", privateUse: false);
    }

    // scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ), then ":"; -1 when there is none.
    static int SchemeLength(string v)
    {
        if (v.Length == 0 || !char.IsAsciiLetter(v[0])) return -1;
        for (var i = 1; i < v.Length; i++)
        {
            if (v[i] == ':') return i;
            if (!char.IsAsciiLetterOrDigit(v[i]) && v[i] is not ('+' or '-' or '.')) return -1;
        }
        return -1;
    }

    static bool IsAuthority(string authority, bool iri)
    {
        var at = authority.LastIndexOf('@');
        if (at >= 0 && !AllOf(authority[..at], iri, ":", privateUse: false)) return false;
        var hostPort = authority[(at + 1)..];
        string port;
        if (hostPort.StartsWith('['))
        {
            var close = hostPort.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || !IsIpLiteral(hostPort[1..close])) return false;
            port = hostPort[(close + 1)..];
            if (port.Length > 0 && port[0] != ':') return false;
        }
        else
        {
            var colon = hostPort.IndexOf(':', StringComparison.Ordinal);
            if (!AllOf(colon < 0 ? hostPort : hostPort[..colon], iri, "", privateUse: false)) return false;
            port = colon < 0 ? "" : hostPort[colon..];
        }
        return port.Length == 0 || port[1..].All(char.IsAsciiDigit);
    }

    // IP-literal = IPv6address / IPvFuture ("v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" ))
    static bool IsIpLiteral(string literal)
    {
        if (literal.Length > 0 && literal[0] is 'v' or 'V')
        {
            var dot = literal.IndexOf('.', StringComparison.Ordinal);
            return dot > 1 && literal[1..dot].All(char.IsAsciiHexDigit) && dot < literal.Length - 1
                && literal[(dot + 1)..].All(c => IsUnreserved(c) || SubDelims.Contains(c, StringComparison.Ordinal) || c == ':');
        }
        return StrictFormats.IsIpv6(literal);
    }

    /// <summary>Every character is unreserved, a sub-delim, one of <paramref name="extra"/> or a %-escape (IRIs: or ucschar / iprivate).</summary>
    static bool AllOf(string v, bool iri, string extra, bool privateUse)
    {
        for (var i = 0; i < v.Length; i++)
        {
            var c = v[i];
            if (c == '%')
            {
                if (!StrictFormats.IsPercentEncoded(v, i)) return false;
                i += 2;
            }
            else if (c > 0x7F)
            {
                if (!iri) return false;
                var cp = char.IsHighSurrogate(c) && i + 1 < v.Length && char.IsLowSurrogate(v[i + 1]) ? char.ConvertToUtf32(c, v[++i]) : c;
                if (!IsUcsChar(cp) && !(privateUse && IsPrivate(cp))) return false;
            }
            else if (!IsUnreserved(c) && !SubDelims.Contains(c, StringComparison.Ordinal) && !extra.Contains(c, StringComparison.Ordinal)) return false;
        }
        return true;
    }

    static bool IsUnreserved(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~';

    // RFC 3987 ucschar: the non-ASCII characters outside the surrogates, private use and noncharacters.
    static bool IsUcsChar(int cp) =>
        cp is (>= 0xA0 and <= 0xD7FF) or (>= 0xF900 and <= 0xFDCF) or (>= 0xFDF0 and <= 0xFFEF)
        || (cp >= 0x10000 && cp <= 0xEFFFD && (cp & 0xFFFF) <= 0xFFFD);

    static bool IsPrivate(int cp) => cp is (>= 0xE000 and <= 0xF8FF) or (>= 0xF0000 and <= 0xFFFFD) or (>= 0x100000 and <= 0x10FFFD);
}
