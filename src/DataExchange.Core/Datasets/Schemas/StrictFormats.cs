using System.Globalization;
using DataExchange.Core.Datasets.Formats;

namespace DataExchange.Core.Datasets.Schemas;

/// <summary>
/// The exchange's own format checks: every format of draft-07 and 2020-12, each to its RFC's grammar (no
/// lenient framework parser, which repairs what it can), plus the domain formats. These are the only formats a
/// schema may name; any other is refused at registration.
/// </summary>
public static partial class StrictFormats
{
    /// <summary>All format validators, one per accepted format.</summary>
    public static StringFormat[] All { get; } =
    [
        new("date", IsDate),
        new("date-time", IsDateTime),
        new("time", IsTime),
        new("duration", IsDuration),
        new("email", v => IsEmail(v, international: false)),
        new("idn-email", v => IsEmail(v, international: true)),
        new("hostname", Hostnames.IsHostname),
        new("idn-hostname", Hostnames.IsIdnHostname),
        new("ipv4", IsIpv4),
        new("ipv6", IsIpv6),
        new("uri", v => StrictUri.Is(v, absolute: true, iri: false)),
        new("uri-reference", v => StrictUri.Is(v, absolute: false, iri: false)),
        new("iri", v => StrictUri.Is(v, absolute: true, iri: true)),
        new("iri-reference", v => StrictUri.Is(v, absolute: false, iri: true)),
        new("uri-template", IsUriTemplate),
        new("json-pointer", IsJsonPointer),
        new("relative-json-pointer", IsRelativeJsonPointer),
        new("regex", v => EcmaRegex.Problem(v) is null),
        new("uuid", v => v.Length == 36 && Guid.TryParseExact(v, "D", out _)),
        new("cn-resident-id", ChineseIds.IsResidentId),
        new("cn-uscc", ChineseIds.IsUscc),
    ];

    /// <summary>
    /// RFC 3339 full-date, years 0001–9999 (what <c>DateOnly</c> holds), by hand: DateOnly.TryParseExact's culture-aware
    /// parse was a tenth of the CPU of validating the benchmark's CSV (issue 14). Same answers (StrictFormatsTests).
    /// </summary>
    internal static bool IsDate(string v) =>
        v.Length == 10 && v[4] == '-' && v[7] == '-' && TwoDigits(v, 0, 99, out var century) && TwoDigits(v, 2, 99, out var year)
        && century * 100 + year >= 1 && TwoDigits(v, 5, 12, out var month) && month >= 1 && TwoDigits(v, 8, 31, out var day) && day >= 1
        && day <= DateTime.DaysInMonth(century * 100 + year, month);

    /// <summary>RFC 3339 date-time: full-date "T" full-time (case-insensitive T and Z).</summary>
    static bool IsDateTime(string v) => v.Length > 11 && IsDate(v[..10]) && v[10] is 'T' or 't' && IsTime(v[11..]);

    /// <summary>
    /// RFC 3339 full-time: the offset is required. A leap second (:60) is valid only where one can occur, at
    /// 23:59:60 UTC, so the local time less its offset must be 23:59.
    /// </summary>
    static bool IsTime(string v)
    {
        if (v.Length < 9 || !TwoDigits(v, 0, 23, out var hour) || v[2] != ':' || !TwoDigits(v, 3, 59, out var minute) || v[5] != ':'
            || !TwoDigits(v, 6, 60, out var second)) return false;
        var i = 8;
        if (i < v.Length && v[i] == '.')
        {
            var start = ++i;
            while (i < v.Length && char.IsAsciiDigit(v[i])) i++;
            if (i == start) return false;
        }
        if (i >= v.Length) return false;
        var offset = 0;
        if (v[i] is 'Z' or 'z') i++;
        else
        {
            if (v[i] is not ('+' or '-') || v.Length - i != 6 || !TwoDigits(v, i + 1, 23, out var oh) || v[i + 3] != ':' || !TwoDigits(v, i + 4, 59, out var om)) return false;
            offset = (v[i] == '-' ? -1 : 1) * (oh * 60 + om);
            i += 6;
        }
        if (i != v.Length) return false;
        return second < 60 || ((hour * 60 + minute - offset) % 1440 + 1440) % 1440 == 23 * 60 + 59;
    }

    static bool TwoDigits(string v, int at, int max, out int value)
    {
        value = 0;
        if (at + 2 > v.Length || !char.IsAsciiDigit(v[at]) || !char.IsAsciiDigit(v[at + 1])) return false;
        value = (v[at] - '0') * 10 + v[at + 1] - '0';
        return value <= max;
    }

    // RFC 3339 Appendix A: "P" (dur-date / dur-time / dur-week); each unit at most once, in order, no fractions.
    [System.Text.RegularExpressions.GeneratedRegex(@"^P(?:(?:[0-9]+D|[0-9]+M(?:[0-9]+D)?|[0-9]+Y(?:[0-9]+M(?:[0-9]+D)?)?)(?:T(?:[0-9]+H(?:[0-9]+M(?:[0-9]+S)?)?|[0-9]+M(?:[0-9]+S)?|[0-9]+S))?|T(?:[0-9]+H(?:[0-9]+M(?:[0-9]+S)?)?|[0-9]+M(?:[0-9]+S)?|[0-9]+S)|[0-9]+W)\z")]
    private static partial System.Text.RegularExpressions.Regex Duration();

    static bool IsDuration(string v) => Duration().IsMatch(v);

    internal static bool IsIpv4(string v)
    {
        var parts = v.Split('.');
        return parts.Length == 4 && parts.All(p => p.Length is > 0 and <= 3 && p.All(char.IsAsciiDigit) && (p.Length == 1 || p[0] != '0') && int.Parse(p, CultureInfo.InvariantCulture) <= 255);
    }

    /// <summary>RFC 4291 section 2.2 text form: eight groups of 1–4 hex digits, one "::" for a run of zero groups, an IPv4 tail.</summary>
    internal static bool IsIpv6(string v)
    {
        var gap = v.IndexOf("::", StringComparison.Ordinal);
        if (gap >= 0 && v.IndexOf("::", gap + 1, StringComparison.Ordinal) >= 0) return false;
        var head = gap < 0 ? v : v[..gap];
        var tail = gap < 0 ? "" : v[(gap + 2)..];
        var groups = 0;
        foreach (var (part, last) in new[] { (head, gap < 0), (tail, true) })
        {
            if (part.Length == 0) continue;
            var pieces = part.Split(':');
            for (var i = 0; i < pieces.Length; i++)
            {
                var p = pieces[i];
                if (last && i == pieces.Length - 1 && p.Contains('.'))
                {
                    if (!IsIpv4(p)) return false;
                    groups += 2;
                }
                else if (p.Length is > 0 and <= 4 && p.All(char.IsAsciiHexDigit)) groups++;
                else return false;
            }
        }
        return gap < 0 ? groups == 8 : groups <= 7;
    }

    /// <summary>One format: its name and the check of a string (formats assert nothing on other types).</summary>
    public sealed record StringFormat(string Format, Func<string, bool> IsValid);
}
