using System.Text;

namespace DataExchange.Core.Datasets.Schemas;

public static partial class StrictFormats
{
    /// <summary>
    /// RFC 5321 Mailbox (with <paramref name="international"/>, RFC 6531's: UTF-8 in the local part and
    /// U-labels in the domain): a dot-string or quoted-string local part of at most 64 octets, "@", and a
    /// host name or an address literal ([IPv4], [IPv6:…]).
    /// </summary>
    static bool IsEmail(string v, bool international)
    {
        var at = LocalPartEnd(v, international);
        if (at <= 0 || at >= v.Length - 1 || v[at] != '@' || Encoding.UTF8.GetByteCount(v.AsSpan(0, at)) > 64) return false;
        var domain = v[(at + 1)..];
        if (domain[0] == '[')
            return domain[^1] == ']' && (IsIpv4(domain[1..^1]) || (domain.StartsWith("[IPv6:", StringComparison.Ordinal) && IsIpv6(domain[6..^1])));
        return international ? Hostnames.IsInternationalDomain(domain) : Hostnames.IsHostname(domain);
    }

    // Where the local part ends (the index of its "@"), or -1 when it is malformed.
    static int LocalPartEnd(string v, bool international)
    {
        if (v.Length > 0 && v[0] == '"')
        {
            for (var i = 1; i < v.Length; i++)
            {
                var c = v[i];
                if (c == '"') return i + 1 < v.Length ? i + 1 : -1;
                if (c == '\\')
                {
                    if (++i >= v.Length || v[i] is < ' ' or > '~') return -1;
                }
                else if (!(c is >= ' ' and <= '~' || (international && c > 0x7F))) return -1;
            }
            return -1;
        }
        var end = v.IndexOf('@', StringComparison.Ordinal);
        if (end <= 0) return -1;
        var local = v.AsSpan(0, end);
        if (local[0] == '.' || local[^1] == '.' || local.IndexOf("..") >= 0) return -1;
        foreach (var c in local)
            if (!(char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-/=?^_`{|}~.".Contains(c, StringComparison.Ordinal) || (international && c > 0x7F))) return -1;
        return end;
    }
}
