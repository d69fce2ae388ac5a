using DataExchange.Core.Common;
using NUnit.Framework;

namespace DataExchange.Core.Tests.Common;

/// <summary>Issue 12: numbers are compared and written exactly as written, at any precision and exponent.</summary>
[TestFixture]
public sealed class ExactNumberTests
{
    static ExactNumber N(string text) => ExactNumber.Parse(text);

    [TestCase("1E2", "100"), TestCase("1.50", "1.50"), TestCase("1.5e1", "15"), TestCase("1e-3", "0.001"), TestCase("-0", "0")]
    [TestCase("-0.0", "0.0"), TestCase("0e5", "0"), TestCase("0e-2", "0.00"), TestCase("1.50e1", "15.0"), TestCase("-1.5E-2", "-0.015")]
    [TestCase("12345678901234567890.123456789012345", "12345678901234567890.123456789012345"), TestCase("1e-30", "0.000000000000000000000000000001")]
    [TestCase("0.30000000000000000000000000001", "0.30000000000000000000000000001"), TestCase("131", "131"), TestCase("-12.340e-1", "-1.2340")]
    public void Canonical_IsPostgresNumericText(string json, string canonical)
    {
        Assert.That(N(json).ToString(), Is.EqualTo(canonical));
    }

    [Test]
    public void Canonical_Of1e400_IsAOneAndFourHundredZeros()
    {
        Assert.That(N("1e400").ToString(), Is.EqualTo("1" + new string('0', 400)));
    }

    [TestCase("1e131071", true), TestCase("1e131072", false), TestCase("1e-16383", true), TestCase("1e-16384", false), TestCase("1.5e-16382", true)]
    [TestCase("1e999999999999999", false), TestCase("0e-20000", false), TestCase("0.0e16384", true)]
    public void Storable_FollowsNumericLimits(string json, bool storable)
    {
        Assert.That(N(json).IsStorable, Is.EqualTo(storable));
    }

    [TestCase("1e-30", "0", 1), TestCase("0.30000000000000000000000000001", "0.3", 1), TestCase("1e-400", "1e400", -1), TestCase("-1e400", "-1e-400", -1)]
    [TestCase("1.0", "1", 0), TestCase("100", "1e2", 0), TestCase("-0", "0", 0), TestCase("-0.0", "0", 0), TestCase("18446744073709551617", "18446744073709551616", 1)]
    [TestCase("12345678901234567890.123456789012345", "12345678901234567890.123456789012344", 1), TestCase("1e308", "1e400", -1), TestCase("-2", "-10", 1)]
    public void Compare_IsExact(string a, string b, int sign)
    {
        Assert.That((Math.Sign(N(a).CompareTo(N(b))), Math.Sign(N(b).CompareTo(N(a)))), Is.EqualTo((sign, -sign)));
    }

    [TestCase("19.99", "0.01", true), TestCase("19.999", "0.01", false), TestCase("1e400", "0.01", true), TestCase("1e400", "3", false)]
    [TestCase("0", "0.7", true), TestCase("0.0075", "0.0001", true), TestCase("1e-400", "1", false), TestCase("4.5", "1.5", true), TestCase("-7", "3.5", true)]
    public void MultipleOf_IsExact(string value, string step, bool multiple)
    {
        Assert.That(N(value).IsMultipleOf(N(step)), Is.EqualTo(multiple));
    }

    [TestCase("1.0", true), TestCase("1e400", true), TestCase("18446744073709551617", true), TestCase("1.5", false), TestCase("1e-400", false), TestCase("-0.0", true), TestCase("1.5e1", true)]
    public void Integer_IncludesZeroFractions_AtAnySize(string json, bool integer)
    {
        Assert.That(N(json).IsInteger, Is.EqualTo(integer));
    }

    [TestCase("01"), TestCase("+1"), TestCase(".5"), TestCase("5."), TestCase("1e"), TestCase("-"), TestCase("NaN"), TestCase(" 1")]
    public void Parse_RefusesWhatJsonRefuses(string text)
    {
        Assert.That(ExactNumber.TryParse(text, out _), Is.False);
    }
}
