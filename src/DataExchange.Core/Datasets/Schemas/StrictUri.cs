using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace DataExchange.Core.Datasets.Schemas;

/// <summary>
/// RFC 3986 absolute URIs. <see cref="Uri.TryCreate(string, UriKind, out Uri)"/> repairs what it
/// can (escapes spaces, '^', non-ASCII…), so it says yes to strings the RFC refuses; this checks
/// the characters and the authority itself.
/// </summary>
internal static partial class StrictUri
{
    public static bool IsUri(string v)
    {
        var scheme = Scheme().Match(v);
        if (!scheme.Success || !AllowedCharacters(v)) return false;
        var rest = v[scheme.Length..];
        if (!rest.StartsWith("//", StringComparison.Ordinal)) return !rest.Contains('[') && !rest.Contains(']');
        var end = rest.IndexOfAny(['/', '?', '#'], 2);
        var authority = end < 0 ? rest[2..] : rest[2..end];
        var path = end < 0 ? "" : rest[end..];
        if (path.Contains('[') || path.Contains(']')) return false;
        var at = authority.LastIndexOf('@');
        if (at >= 0 && authority[..at].IndexOfAny(['[', ']']) >= 0) return false;
        return IsHostPort(authority[(at + 1)..]);
    }

    static bool IsHostPort(string hostPort)
    {
        string port;
        if (hostPort.StartsWith('['))
        {
            var close = hostPort.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || !IsIpv6(hostPort[1..close])) return false;
            port = hostPort[(close + 1)..];
            if (port.Length > 0 && port[0] != ':') return false;
        }
        else
        {
            if (hostPort.Contains(']')) return false;
            var colon = hostPort.IndexOf(':', StringComparison.Ordinal);
            port = colon < 0 ? "" : hostPort[colon..];
        }
        return port.Length == 0 || port[1..].All(char.IsAsciiDigit);
    }

    static bool IsIpv6(string literal)
    {
        if (!IPAddress.TryParse(literal, out var ip) || ip.AddressFamily != AddressFamily.InterNetworkV6) return false;
        // An embedded IPv4 part follows the dotted-quad rules: no leading zeros.
        return !literal.Contains('.') || StrictFormats.IsIpv4(literal[(literal.LastIndexOf(':') + 1)..]);
    }

    static bool AllowedCharacters(string v)
    {
        for (var i = 0; i < v.Length; i++)
        {
            var c = v[i];
            if (c == '%')
            {
                if (i + 2 >= v.Length || !char.IsAsciiHexDigit(v[i + 1]) || !char.IsAsciiHexDigit(v[i + 2])) return false;
                i += 2;
            }
            else if (!char.IsAsciiLetterOrDigit(c) && !"-._~:/?#[]@!$&'()*+,;=".Contains(c, StringComparison.Ordinal)) return false;
        }
        return true;
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9+.-]*:")]
    private static partial Regex Scheme();
}
