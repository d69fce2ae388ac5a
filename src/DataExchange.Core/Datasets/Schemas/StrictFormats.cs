using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using DataExchange.Core.Datasets.Formats;
using Newtonsoft.Json.Linq;
using NJsonSchema.Validation;
using NJsonSchema.Validation.FormatValidators;

namespace DataExchange.Core.Datasets.Schemas;

/// <summary>
/// The exchange's own format checks, replacing NJsonSchema's, which accept date-times without an
/// offset and URIs without a scheme. These are the only formats a schema may name.
/// </summary>
public static partial class StrictFormats
{
    /// <summary>All format validators, one per accepted format.</summary>
    public static IFormatValidator[] All { get; } =
    [
        new Check("date", ValidationErrorKind.DateExpected, IsDate),
        new Check("date-time", ValidationErrorKind.DateTimeExpected, IsDateTime),
        new Check("email", ValidationErrorKind.EmailExpected, v => EmailPattern().IsMatch(v)),
        new Check("uri", ValidationErrorKind.UriExpected, v => Uri.TryCreate(v, UriKind.Absolute, out var u) && u.Scheme.Length > 0 && !v.Contains(' ', StringComparison.Ordinal)),
        new Check("uuid", ValidationErrorKind.UuidExpected, v => v.Length == 36 && Guid.TryParseExact(v, "D", out _)),
        new Check("ipv4", ValidationErrorKind.IpV4Expected, IsIpv4),
        new Check("cn-resident-id", ValidationErrorKind.Unknown, ChineseIds.IsResidentId),
        new Check("cn-uscc", ValidationErrorKind.Unknown, ChineseIds.IsUscc),
    ];

    static bool IsDate(string v) =>
        v.Length == 10 && DateOnly.TryParseExact(v, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _);

    /// <summary>RFC 3339 date-time: the offset (Z or ±hh:mm) is required.</summary>
    static bool IsDateTime(string v) =>
        DateTimePattern().IsMatch(v) && DateTimeOffset.TryParse(v, CultureInfo.InvariantCulture, DateTimeStyles.None, out _);

    static bool IsIpv4(string v)
    {
        var parts = v.Split('.');
        return parts.Length == 4 && parts.All(p => p.Length is > 0 and <= 3 && p.All(char.IsAsciiDigit) && (p.Length == 1 || p[0] != '0') && int.Parse(p, CultureInfo.InvariantCulture) <= 255)
            && IPAddress.TryParse(v, out _);
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")]
    private static partial Regex DateTimePattern();

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
    private static partial Regex EmailPattern();

    sealed class Check(string format, ValidationErrorKind kind, Func<string, bool> isValid) : IFormatValidator
    {
        public string Format => format;
        public ValidationErrorKind ValidationErrorKind => kind;
        public bool IsValid(string value, JTokenType tokenType) => tokenType != JTokenType.String || isValid(value);
    }
}
