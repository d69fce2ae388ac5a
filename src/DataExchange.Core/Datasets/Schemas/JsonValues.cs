using System.Text.Json;

namespace DataExchange.Core.Datasets.Schemas;

/// <summary>
/// JSON Schema's notion of values: numbers compare by exact value (1.0 equals 1, 1e2 equals 100, at any
/// precision), booleans are never numbers, and objects are equal regardless of member order.
/// </summary>
internal static class JsonValues
{
    /// <summary>Deep equality in the JSON data model (enum, const, uniqueItems).</summary>
    public static bool DeepEquals(in JsonItem a, in JsonItem b)
    {
        if (a.Kind != b.Kind) return false;
        switch (a.Kind)
        {
            case JsonValueKind.Number:
                return a.NumberText == b.NumberText || a.Number == b.Number;
            case JsonValueKind.String:
                return a.String == b.String;
            case JsonValueKind.Array:
                if (a.Element.GetArrayLength() != b.Element.GetArrayLength()) return false;
                using (var x = a.Element.EnumerateArray().GetEnumerator())
                using (var y = b.Element.EnumerateArray().GetEnumerator())
                    while (x.MoveNext() && y.MoveNext())
                        if (!DeepEquals(JsonItem.Of(x.Current), JsonItem.Of(y.Current))) return false;
                return true;
            case JsonValueKind.Object:
                if (a.Element.GetPropertyCount() != b.Element.GetPropertyCount()) return false;
                foreach (var p in a.Element.EnumerateObject())
                    if (!b.Element.TryGetProperty(p.Name, out var other) || !DeepEquals(JsonItem.Of(p.Value), JsonItem.Of(other))) return false;
                return true;
            default:
                return true; // true, false, null: the kind is the value
        }
    }

    /// <summary>
    /// The first item of <paramref name="items"/> equal to an earlier one, and that earlier one (the first equal to
    /// it); (-1, -1) when all differ. Linear: items are bucketed by a hash of their value (<see cref="Hash"/>) and
    /// compared by <see cref="DeepEquals"/> only within a bucket; 20,000 items took 2·10^8 comparisons pairwise.
    /// </summary>
    public static (int First, int Repeat) FirstRepeat(JsonItem[] items)
    {
        var seen = new Dictionary<JsonItem, int>(items.Length, ValueComparer.Instance);
        for (var i = 0; i < items.Length; i++)
            if (!seen.TryAdd(items[i], i)) return (seen[items[i]], i);
        return (-1, -1);
    }

    /// <summary>
    /// A hash of the value that equal values share: a number hashes its significant digits and the power of ten
    /// of the first one (1.50, 15e-1 and 1.5 alike), an object its members in any order.
    /// </summary>
    public static int Hash(in JsonItem t)
    {
        switch (t.Kind)
        {
            case JsonValueKind.Number:
                return NumberHash(t.NumberText);
            case JsonValueKind.String:
                return HashCode.Combine(JsonValueKind.String, t.String);
            case JsonValueKind.Array:
                var array = new HashCode();
                foreach (var item in t.Element.EnumerateArray()) array.Add(Hash(JsonItem.Of(item)));
                return array.ToHashCode();
            case JsonValueKind.Object:
                // A sum does not depend on member order.
                var sum = JsonValueKind.Object.GetHashCode();
                foreach (var p in t.Element.EnumerateObject()) sum += HashCode.Combine(p.Name, Hash(JsonItem.Of(p.Value)));
                return sum;
            default:
                return t.Kind.GetHashCode();
        }
    }

    // Past 5·10^8 (any number ExactNumber's exponent saturates for is beyond it) only the sign is hashed, so numbers
    // that compare equal there land in one bucket whatever their digits.
    const long HashedMagnitude = 500_000_000;

    /// <summary>The hash of a number's JSON text: sign, the power of ten of its first significant digit, and its significant digits.</summary>
    static int NumberHash(string text)
    {
        var e = text.AsSpan().IndexOfAny('e', 'E');
        var mantissa = e < 0 ? text.AsSpan() : text.AsSpan(0, e);
        long exponent = 0;
        if (e >= 0)
        {
            var digits = text.AsSpan(e + 1).TrimStart('+');
            var negative = digits.StartsWith('-');
            foreach (var d in negative ? digits[1..] : digits)
                if ((exponent = exponent * 10 + (d - '0')) > HashedMagnitude * 2) break;
            if (negative) exponent = -exponent;
        }
        var sign = mantissa.StartsWith('-') ? -1 : 1;
        var point = mantissa.IndexOf('.');
        var whole = (point < 0 ? mantissa.Length : point) - (sign < 0 ? 1 : 0);
        var significant = new HashCode();
        long position = 0, first = -1, last = -1;
        foreach (var c in mantissa)
        {
            if (!char.IsAsciiDigit(c)) continue;
            if (c != '0')
            {
                if (first < 0) first = position;
                last = position;
            }
            position++;
        }
        if (first < 0) return 0; // zero, however written
        position = 0;
        foreach (var c in mantissa)
        {
            if (!char.IsAsciiDigit(c)) continue;
            if (position >= first && position <= last) significant.Add(c);
            position++;
        }
        var adjusted = whole - 1 - first + exponent;
        return Math.Abs(adjusted) > HashedMagnitude ? sign : HashCode.Combine(sign, adjusted, significant.ToHashCode());
    }

    sealed class ValueComparer : IEqualityComparer<JsonItem>
    {
        public static readonly ValueComparer Instance = new();

        public bool Equals(JsonItem a, JsonItem b) => DeepEquals(a, b);

        public int GetHashCode(JsonItem t) => Hash(t);
    }

    /// <summary>Length in Unicode code points, as JSON Schema counts it (a surrogate pair is one character).</summary>
    public static int CodePoints(string s)
    {
        var n = s.Length;
        if (!s.AsSpan().ContainsAnyInRange('\uD800', '\uDBFF')) return n; // no high surrogate: one code point per char
        for (var i = 0; i + 1 < s.Length; i++)
            if (char.IsHighSurrogate(s[i]) && char.IsLowSurrogate(s[i + 1])) { n--; i++; }
        return n;
    }
}
