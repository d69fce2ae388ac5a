using System.Globalization;
using System.Text;

namespace DataExchange.Core.Common;

/// <summary>
/// The text of a number as PostgreSQL numeric writes it (numeric_out): plain decimal notation, no
/// exponent, the display scale kept as written (1.50 stays 1.50, 1.5e1 becomes 15, 1e-3 becomes 0.001),
/// no negative zero. jsonb stores numbers as numeric and renders them this way, so this text is what a
/// consumer is served and what a stored row re-hashes to.
/// </summary>
internal readonly partial struct ExactNumber
{
    /// <summary>numeric's limit on digits before the decimal point (weight up to 32767 base-10000 digits).</summary>
    public const int MaxIntegerDigits = 131072;

    /// <summary>numeric's limit on digits after the decimal point (NUMERIC_DSCALE_MAX).</summary>
    public const int MaxScale = 16383;

    /// <summary>Whether PostgreSQL numeric (so jsonb) can hold the value at its written scale.</summary>
    public bool IsStorable => IntegerDigits <= MaxIntegerDigits && Scale <= MaxScale;

    /// <summary>The canonical text; for a number beyond <see cref="IsStorable"/> (it could be gigabytes) a short significand-e-exponent form.</summary>
    public override string ToString()
    {
        if (!IsStorable) return string.Create(CultureInfo.InvariantCulture, $"{Significand}e{Exponent}");
        var sb = new StringBuilder(Digits + 4);
        AppendTo(sb);
        return sb.ToString();
    }

    /// <summary>Appends the canonical text; call only when <see cref="IsStorable"/>.</summary>
    public void AppendTo(StringBuilder sb)
    {
        if (!IsStorable) throw new InvalidOperationException("The number is beyond what PostgreSQL numeric holds.");
        if (IsZero)
        {
            sb.Append('0');
            if (Scale > 0) sb.Append('.').Append('0', Scale);
            return;
        }
        if (Significand.Sign < 0) sb.Append('-');
        var digits = System.Numerics.BigInteger.Abs(Significand).ToString(CultureInfo.InvariantCulture);
        if (Exponent >= 0)
            sb.Append(digits).Append('0', Exponent);
        else if (digits.Length > Scale)
            sb.Append(digits, 0, digits.Length - Scale).Append('.').Append(digits, digits.Length - Scale, Scale);
        else
            sb.Append("0.").Append('0', Scale - digits.Length).Append(digits);
    }

    /// <summary>
    /// Whether <paramref name="json"/>, a valid JSON number, is already canonical: no exponent, not a
    /// negative zero, short enough to be storable. Most numbers are, and then need no parsing at all.
    /// </summary>
    public static bool IsCanonicalJson(ReadOnlySpan<char> json)
    {
        if (json.Length > MaxScale || json.IndexOfAny('e', 'E') >= 0) return false;
        return json[0] != '-' || json[1..].IndexOfAnyExcept('0', '.') >= 0;
    }

    /// <summary>
    /// Whether <paramref name="text"/> is a JSON number already in canonical form (digits, an optional
    /// fraction, no exponent, no negative zero, no leading zero): then it is its own canonical text and
    /// a CSV cell needs no parsing, which keeps the CSV fast path free of allocations for numbers.
    /// </summary>
    public static bool IsCanonical(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty || text.Length > MaxScale) return false;
        var digits = text[0] == '-' ? text[1..] : text;
        var point = digits.IndexOf('.');
        var whole = point < 0 ? digits : digits[..point];
        if (whole.IsEmpty || whole.ContainsAnyExceptInRange('0', '9') || (whole.Length > 1 && whole[0] == '0')) return false;
        if (point >= 0 && (point == digits.Length - 1 || digits[(point + 1)..].ContainsAnyExceptInRange('0', '9'))) return false;
        return IsCanonicalJson(text);
    }

    /// <summary>
    /// The canonical text of the JSON number <paramref name="json"/>; null when PostgreSQL cannot store it.
    /// </summary>
    public static string? CanonicalOf(string json)
    {
        if (IsCanonicalJson(json)) return json;
        var n = Parse(json);
        return n.IsStorable ? n.ToString() : null;
    }
}
