using System.Globalization;
using System.Numerics;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace DataExchange.Core.Datasets.Schemas;

/// <summary>
/// JSON Schema's notion of values: numbers compare mathematically whatever their CLR type
/// (long, decimal, double, BigInteger), 1.0 is an integer, booleans are never numbers, and
/// objects are equal regardless of member order. NJsonSchema 11 gets each of these wrong.
/// </summary>
internal static class JsonValues
{
    public static bool IsNumber(JToken t) => t.Type is JTokenType.Integer or JTokenType.Float;

    /// <summary>True for integers and for numbers with a zero fraction (draft-07: 1.0 is an integer).</summary>
    public static bool IsInteger(JToken t) => t.Type switch
    {
        JTokenType.Integer => true,
        JTokenType.Float => ((JValue)t).Value switch
        {
            decimal d => d == decimal.Truncate(d),
            double x => double.IsFinite(x) && Math.Floor(x) == x,
            float f => float.IsFinite(f) && MathF.Floor(f) == f,
            _ => false,
        },
        _ => false,
    };

    /// <summary>Compares two numbers exactly when both fit a decimal, else as doubles.</summary>
    public static int Compare(JValue a, JValue b)
    {
        if (TryDecimal(a, out var x) && TryDecimal(b, out var y)) return x.CompareTo(y);
        if (a.Value is BigInteger bx && b.Value is BigInteger by) return bx.CompareTo(by);
        return ToDouble(a).CompareTo(ToDouble(b));
    }

    /// <summary>Whether <paramref name="value"/> is an integer multiple of <paramref name="divisor"/>.</summary>
    public static bool IsMultipleOf(JValue value, JValue divisor)
    {
        if (TryDecimal(value, out var v) && TryDecimal(divisor, out var d))
        {
            try { return v % d == 0; }
            catch (OverflowException) { }
        }
        // IEEE fmod is exact, so 1e308 % 0.5 is 0 rather than an overflow to infinity.
        var r = ToDouble(value) % ToDouble(divisor);
        return r == 0;
    }

    public static bool TryDecimal(JValue v, out decimal d)
    {
        switch (v.Value)
        {
            case long l: d = l; return true;
            case int i: d = i; return true;
            case decimal m: d = m; return true;
            case ulong u: d = u; return true;
            case BigInteger b when BigInteger.Abs(b) < new BigInteger(decimal.MaxValue): d = (decimal)b; return true;
            case double x when double.IsFinite(x) && Math.Abs(x) < 7.9e28 && Math.Abs(x) is 0 or > 1e-27:
                try { d = (decimal)x; return (double)d == x; }
                catch (OverflowException) { break; }
        }
        d = 0;
        return false;
    }

    static double ToDouble(JValue v) => v.Value switch
    {
        BigInteger b => (double)b,
        IConvertible c => c.ToDouble(CultureInfo.InvariantCulture),
        _ => double.NaN,
    };

    /// <summary>Deep equality in the JSON data model (enum, uniqueItems).</summary>
    public static bool DeepEquals(JToken a, JToken b)
    {
        if (IsNumber(a) && IsNumber(b)) return Compare((JValue)a, (JValue)b) == 0;
        if (a.Type != b.Type)
            return a.Type is JTokenType.String or JTokenType.Uri or JTokenType.Guid or JTokenType.Date
                && b.Type is JTokenType.String or JTokenType.Uri or JTokenType.Guid or JTokenType.Date && Text(a) == Text(b);
        switch (a)
        {
            case JArray x:
                var y = (JArray)b;
                if (x.Count != y.Count) return false;
                for (var i = 0; i < x.Count; i++) if (!DeepEquals(x[i], y[i])) return false;
                return true;
            case JObject o:
                var p = (JObject)b;
                if (o.Count != p.Count) return false;
                foreach (var (name, value) in o)
                    if (!p.TryGetValue(name, out var other) || !DeepEquals(value!, other)) return false;
                return true;
            default:
                return a.Type == JTokenType.Null || Equals(((JValue)a).Value, ((JValue)b).Value);
        }
    }

    public static string? Text(JToken t) => t.Type switch
    {
        JTokenType.String => (string?)t,
        JTokenType.Null => null,
        _ => t.ToString(Formatting.None).Trim('"'),
    };

    /// <summary>Length in Unicode code points, as JSON Schema counts it (a surrogate pair is one character).</summary>
    public static int CodePoints(string s)
    {
        var n = s.Length;
        for (var i = 0; i + 1 < s.Length; i++)
            if (char.IsHighSurrogate(s[i]) && char.IsLowSurrogate(s[i + 1])) { n--; i++; }
        return n;
    }

    /// <summary>Parses JSON as ingestion does: decimals, no date sniffing; beyond decimal's range, doubles.</summary>
    public static JToken Parse(string json)
    {
        try { return Parse(json, FloatParseHandling.Decimal); }
        catch (JsonReaderException) { return Parse(json, FloatParseHandling.Double); }
        catch (OverflowException) { return Parse(json, FloatParseHandling.Double); }
    }

    static JToken Parse(string json, FloatParseHandling floats)
    {
        using var reader = new JsonTextReader(new StringReader(json)) { DateParseHandling = DateParseHandling.None, FloatParseHandling = floats };
        return JToken.ReadFrom(reader);
    }
}
