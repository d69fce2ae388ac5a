using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using DataExchange.Core.Datasets.Formats;

namespace DataExchange.Core.Datasets.Schemas;

/// <summary>
/// The exchange's own format checks (NJsonSchema's, no longer used, accepted date-times without an
/// offset and URIs without a scheme). These are the only formats a schema may name.
/// </summary>
public static partial class StrictFormats
{
    /// <summary>All format validators, one per accepted format.</summary>
    public static StringFormat[] All { get; } =
    [
        new("date", IsDate),
        new("date-time", IsDateTime),
        new("email", IsEmail),
        new("uri", StrictUri.IsUri),
        new("uuid", v => v.Length == 36 && Guid.TryParseExact(v, "D", out _)),
        new("ipv4", IsIpv4),
        new("cn-resident-id", ChineseIds.IsResidentId),
        new("cn-uscc", ChineseIds.IsUscc),
    ];

    static bool IsDate(string v) =>
        v.Length == 10 && DateOnly.TryParseExact(v, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _);

    /// <summary>
    /// RFC 3339 date-time: the offset (Z or ±hh:mm) is required. A leap second (:60) is valid only
    /// where one can occur, at 23:59:60 UTC; .NET cannot hold it, so it is checked as :59.
    /// </summary>
    static bool IsDateTime(string v)
    {
        if (!DateTimePattern().IsMatch(v)) return false;
        var leap = v.AsSpan(17, 2).SequenceEqual("60");
        var text = leap ? string.Concat(v.AsSpan(0, 17), "59", v.AsSpan(19)) : v;
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at)) return false;
        var offset = v[^1] is 'Z' or 'z' ? "" : v[^6..];
        if (offset.Length > 0 && (int.Parse(offset.AsSpan(1, 2), CultureInfo.InvariantCulture) > 23 || int.Parse(offset.AsSpan(4, 2), CultureInfo.InvariantCulture) > 59)) return false;
        return !leap || at.UtcDateTime is { Hour: 23, Minute: 59 };
    }

    /// <summary>Dots may separate words of the local part but not start, end or double up (RFC 5322 dot-atom).</summary>
    static bool IsEmail(string v)
    {
        if (!EmailPattern().IsMatch(v)) return false;
        var local = v[..v.LastIndexOf('@')];
        return local[0] != '.' && local[^1] != '.' && !local.Contains("..", StringComparison.Ordinal);
    }

    internal static bool IsIpv4(string v)
    {
        var parts = v.Split('.');
        return parts.Length == 4 && parts.All(p => p.Length is > 0 and <= 3 && p.All(char.IsAsciiDigit) && (p.Length == 1 || p[0] != '0') && int.Parse(p, CultureInfo.InvariantCulture) <= 255)
            && IPAddress.TryParse(v, out _);
    }

    // \z, not $: .NET's $ also matches before a trailing newline.
    [GeneratedRegex(@"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})\z")]
    private static partial Regex DateTimePattern();

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[^@\s]+\z")]
    private static partial Regex EmailPattern();

    /// <summary>One format: its name and the check of a string (formats assert nothing on other types).</summary>
    public sealed record StringFormat(string Format, Func<string, bool> IsValid);
}
