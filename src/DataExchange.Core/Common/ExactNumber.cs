using System.Globalization;
using System.Numerics;

namespace DataExchange.Core.Common;

/// <summary>
/// A JSON number exactly as written: <see cref="Significand"/> × 10^<see cref="Exponent"/>, the
/// significand keeping the digits as written (1.50 is 150 × 10^-2), so no precision or scale is lost
/// and no number is ever converted to double or decimal. Comparisons look at sign and magnitude first,
/// so 1e-400 against 1e400 never builds a 400-digit integer.
/// </summary>
internal readonly partial struct ExactNumber : IComparable<ExactNumber>, IEquatable<ExactNumber>
{
    // An exponent beyond ±10^9 is out of any range PostgreSQL stores (131072 digits) and of BigInteger's
    // reach; it saturates here, which keeps comparisons right and leaves the range check to refuse it.
    const long ExponentLimit = 1_000_000_000;

    ExactNumber(BigInteger significand, int exponent, int digits)
    {
        Significand = significand;
        Exponent = exponent;
        Digits = digits;
    }

    /// <summary>The digits as written, with the sign; zero for any zero (there is no negative zero).</summary>
    public BigInteger Significand { get; }

    /// <summary>The power of ten the significand is scaled by.</summary>
    public int Exponent { get; }

    /// <summary>Number of decimal digits of |<see cref="Significand"/>| (1 for zero).</summary>
    public int Digits { get; }

    public bool IsZero => Significand.IsZero;

    /// <summary>Digits after the decimal point in plain notation: PostgreSQL numeric's display scale.</summary>
    public int Scale => Exponent < 0 ? -Exponent : 0;

    /// <summary>Digits before the decimal point in plain notation (at least 1: the "0" of 0.5).</summary>
    public long IntegerDigits => IsZero ? 1 : Math.Max(1, (long)Digits + Exponent);

    /// <summary>The exponent of the leading digit: 2 for 123, -3 for 0.00123.</summary>
    long Adjusted => (long)Exponent + Digits - 1;

    /// <summary>Parses a number in JSON syntax (RFC 8259); false for anything else.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out ExactNumber number) => TryParse(text, json: true, out number);

    /// <summary>
    /// Parses JSON syntax, or with <paramref name="json"/> false the looser syntax a CSV number cell may use
    /// (a leading '+', leading zeros, ".5", "5.", surrounding white space), as decimal.TryParse did.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> text, bool json, out ExactNumber number)
    {
        number = default;
        if (!json) text = text.Trim();
        var i = 0;
        var negative = false;
        if (i < text.Length && (text[i] == '-' || (!json && text[i] == '+'))) negative = text[i++] == '-';
        var intStart = i;
        while (i < text.Length && char.IsAsciiDigit(text[i])) i++;
        var intDigits = text[intStart..i];
        if (json && (intDigits.Length == 0 || (intDigits.Length > 1 && intDigits[0] == '0'))) return false;
        var fraction = ReadOnlySpan<char>.Empty;
        if (i < text.Length && text[i] == '.')
        {
            var start = ++i;
            while (i < text.Length && char.IsAsciiDigit(text[i])) i++;
            fraction = text[start..i];
            if (json && fraction.Length == 0) return false;
        }
        if (intDigits.Length + fraction.Length == 0) return false;
        long exponent = 0;
        if (i < text.Length && (text[i] == 'e' || text[i] == 'E'))
        {
            i++;
            var expNegative = false;
            if (i < text.Length && (text[i] == '+' || text[i] == '-')) expNegative = text[i++] == '-';
            var start = i;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                if (exponent < ExponentLimit) exponent = exponent * 10 + (text[i] - '0');
                i++;
            }
            if (i == start) return false;
            exponent = Math.Min(exponent, ExponentLimit);
            if (expNegative) exponent = -exponent;
        }
        if (i != text.Length) return false;
        number = Create(negative, intDigits, fraction, exponent - fraction.Length);
        return true;
    }

    static ExactNumber Create(bool negative, ReadOnlySpan<char> intDigits, ReadOnlySpan<char> fraction, long exponent)
    {
        // Up to 18 digits fit a long: the common case builds no digit string and no BigInteger array.
        var total = intDigits.Length + fraction.Length;
        BigInteger significand;
        int digits;
        if (total <= 18)
        {
            long v = 0;
            foreach (var c in intDigits) v = v * 10 + (c - '0');
            foreach (var c in fraction) v = v * 10 + (c - '0');
            significand = v;
            digits = v == 0 ? 1 : CountDigits(v);
        }
        else
        {
            var all = string.Concat(intDigits, fraction);
            significand = BigInteger.Parse(all, NumberStyles.None, CultureInfo.InvariantCulture);
            digits = significand.IsZero ? 1 : all.Length - all.AsSpan().IndexOfAnyExcept('0');
        }
        if (negative) significand = -significand;
        // Within int whatever the digit count; beyond ±10^9 nothing is storable, so the exact figure does not matter.
        var e = (int)Math.Clamp(exponent, -2 * ExponentLimit, 2 * ExponentLimit);
        return new ExactNumber(significand, e, digits);
    }

    static int CountDigits(long v)
    {
        var n = 0;
        for (; v > 0; v /= 10) n++;
        return n;
    }

    /// <summary>Parses JSON syntax, or the looser CSV syntax when <paramref name="json"/> is false; throws on anything else.</summary>
    public static ExactNumber Parse(string text, bool json) =>
        TryParse(text, json, out var n) ? n : throw new FormatException($"'{text}' is not a number.");

    /// <summary>Parses a number the schema or the record gave as JSON text; throws on anything else.</summary>
    public static ExactNumber Parse(string text) =>
        TryParse(text, out var n) ? n : throw new FormatException($"'{text}' is not a JSON number.");

    /// <summary>Whether the value is an integer (draft-07: 1.0 and 1e2 are integers, 1.5 is not).</summary>
    public bool IsInteger
    {
        get
        {
            if (Exponent >= 0 || IsZero) return true;
            if (-(long)Exponent >= Digits) return false; // |value| < 1 and not zero
            return BigInteger.Remainder(Significand, BigInteger.Pow(10, -Exponent)).IsZero;
        }
    }

    /// <inheritdoc/>
    public int CompareTo(ExactNumber other)
    {
        var (a, b) = (Significand.Sign, other.Significand.Sign);
        if (a != b) return a.CompareTo(b);
        if (a == 0) return 0;
        if (Adjusted != other.Adjusted) return Adjusted > other.Adjusted ? a : -a;
        // Same leading-digit exponent: aligning costs at most the longer significand's digit count.
        var shift = Exponent - other.Exponent;
        return shift >= 0
            ? (Significand * BigInteger.Pow(10, shift)).CompareTo(other.Significand)
            : Significand.CompareTo(other.Significand * BigInteger.Pow(10, -shift));
    }

    /// <summary>Whether this is an integer multiple of <paramref name="divisor"/> (which must not be zero).</summary>
    public bool IsMultipleOf(ExactNumber divisor)
    {
        if (IsZero) return true;
        var d = BigInteger.Abs(divisor.Significand);
        if (Exponent >= divisor.Exponent)
        {
            // v·10^k mod d, with 10^k taken modulo d: 1e400 against 0.01 costs no 400-digit integer.
            var k = Exponent - divisor.Exponent;
            return (BigInteger.Abs(Significand) % d * BigInteger.ModPow(10, k, d) % d).IsZero;
        }
        var shift = (long)divisor.Exponent - Exponent;
        if (shift >= Digits) return false; // |divisor| > |value| > 0
        return (BigInteger.Abs(Significand) % (d * BigInteger.Pow(10, (int)shift))).IsZero;
    }

    public bool Equals(ExactNumber other) => CompareTo(other) == 0;

    public override bool Equals(object? obj) => obj is ExactNumber n && Equals(n);

    // Equal values share sign and leading-digit exponent (1.50 and 15e-1 both have -0 and 0).
    public override int GetHashCode() => IsZero ? 0 : HashCode.Combine(Significand.Sign, Adjusted);

    public static bool operator ==(ExactNumber a, ExactNumber b) => a.Equals(b);
    public static bool operator !=(ExactNumber a, ExactNumber b) => !a.Equals(b);
    public static bool operator <(ExactNumber a, ExactNumber b) => a.CompareTo(b) < 0;
    public static bool operator >(ExactNumber a, ExactNumber b) => a.CompareTo(b) > 0;
    public static bool operator <=(ExactNumber a, ExactNumber b) => a.CompareTo(b) <= 0;
    public static bool operator >=(ExactNumber a, ExactNumber b) => a.CompareTo(b) >= 0;
}
