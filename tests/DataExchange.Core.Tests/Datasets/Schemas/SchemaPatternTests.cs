using System.Text;
using DataExchange.Core.Datasets.Schemas;
using NUnit.Framework;

namespace DataExchange.Core.Tests.Datasets.Schemas;

/// <summary>
/// Issue 13, item 12: a pattern goes to the linear engine only when it means there exactly what it means to the
/// backtracking engine with ECMAScript semantics; the rest keep backtracking under the record's budget. Issue 15: the
/// semantics are ECMA-262's own (u mode), no longer .NET's RegexOptions.ECMAScript.
/// </summary>
[TestFixture]
public sealed class SchemaPatternTests
{
    static readonly string[] Subjects =
    [
        "", "a", "aa", "ab", "abc", "a\n", "\n", "1", "12", "a1_", "_", " ", "\t", "\v", "\u00A0", "\u2028", "İ", "ı", "é", "K",
        "-", "]", "[", "a b", "a-b", "ab\n", "x$", "$", "^", "\\", "aaaaaaaaaa!",
    ];

    [TestCase("^(a+)+$")]
    [TestCase("^[a-z0-9._%+-]+@[a-z0-9.-]+\\.[a-z]{2,}$")]
    [TestCase("^\\d{4}-\\d{2}$")]
    [TestCase("^[\\w.]+$")]
    [TestCase("^[^\\s]*$")]
    [TestCase("^(?:ab|c)*\\S$")]
    [TestCase("^[\\D][\\W]$")]
    [TestCase("x$")]
    [TestCase("[$]")]
    public void Pattern_WithALinearForm_GoesToTheLinearEngine_AndMeansTheSame(string pattern)
    {
        var compiled = SchemaPattern.Compile(pattern);
        Assert.That(compiled.IsLinear, Is.True);
        AssertSameAsBacktracking(compiled);
    }

    [TestCase("^(?=a)(a+)+$")]
    [TestCase("^(a)\\1$")]
    [TestCase("^(?<x>a)\\k<x>$")]
    [TestCase("\\bab")]
    [TestCase("(?!b)a")]
    public void Pattern_WithoutACertainLinearForm_KeepsBacktracking(string pattern)
    {
        var compiled = SchemaPattern.Compile(pattern);
        Assert.That(compiled.IsLinear, Is.False);
        AssertSameAsBacktracking(compiled);
    }

    // Issue 15: .NET syntax that is no ECMA-262 (atomic groups, inline flags, class subtraction, a lone ']',
    // a class escape as a range end, an identity escape of a letter) is refused, not given .NET's meaning.
    [TestCase("(?>a+)b")]
    [TestCase("(?i)a")]
    [TestCase("[a-z-[aeiou]]")]
    [TestCase("[]a]")]
    [TestCase("[\\d-z]")]
    [TestCase("\\q")]
    [TestCase("\\a")]
    [TestCase("(?#comment)a")]
    [TestCase("(?P<name>x)")]
    [TestCase("a{")]
    public void Pattern_ThatIsNotEcma262_IsRefused(string pattern)
    {
        Assert.Multiple(() =>
        {
            Assert.Throws<ArgumentException>(() => SchemaPattern.Compile(pattern));
            Assert.That(EcmaRegex.Problem(pattern)?.Code, Is.EqualTo("invalid-pattern"));
        });
    }

    // Issue 15: ECMAScript's \s, \S, \d, \w, \b, "." and "$", and whole code points (u mode).
    [TestCase("^\\S+$", "a\u00A0b", false)]
    [TestCase("^\\s$", "\uFEFF", true)]
    [TestCase("^\\s$", "\u2003", true)]
    [TestCase("^\\d$", "\u0660", false)]
    [TestCase("^\\w$", "é", false)]
    [TestCase("\\bcole", "écoles", true)]
    [TestCase("^.$", "\r", false)]
    [TestCase("^.$", "\u2028", false)]
    [TestCase("^.$", "🐲", true)]
    [TestCase("^🐲*$", "🐲🐲", true)]
    [TestCase("^🐲*$", "🐉", false)]
    [TestCase("^[^a]$", "🐲", true)]
    [TestCase("^\\p{Letter}+$", "élan", true)]
    [TestCase("^\\p{Lu}", "élan", false)]
    [TestCase("^\\u{1F432}$", "🐲", true)]
    [TestCase("^a$", "a\n", false)]
    public void Pattern_MatchesAsEcmaScriptDoes(string pattern, string value, bool matches)
    {
        Assert.That(SchemaPattern.Compile(pattern).TryMatch(value, out var matched) && matched, Is.EqualTo(matches));
    }

    [Test]
    public void RandomPatterns_MeanTheSameOnBothEngines()
    {
        string[] atoms = ["a", "b", ".", "\\d", "\\D", "\\w", "\\W", "\\s", "\\S", "[a-c]", "[^a]", "[\\d_]", "[\\s\\S]", "[^\\w]", "[\\W1]", "[-a]", "\\.", "\\u0130", "-"];
        string[] quantifiers = ["", "", "*", "+", "?", "{1,2}", "*?"];
        var random = new Random(13);
        var linear = 0;
        for (var n = 0; n < 2000; n++)
        {
            var sb = new StringBuilder(random.Next(2) == 0 ? "^" : "");
            for (var i = random.Next(1, 5); i > 0; i--)
            {
                var atom = atoms[random.Next(atoms.Length)];
                sb.Append(random.Next(6) == 0 ? $"(?:{atom}|{atoms[random.Next(atoms.Length)]})" : atom).Append(quantifiers[random.Next(quantifiers.Length)]);
            }
            if (random.Next(2) == 0) sb.Append('$');
            var compiled = SchemaPattern.Compile(sb.ToString());
            if (compiled.IsLinear) linear++;
            AssertSameAsBacktracking(compiled);
        }
        Assert.That(linear, Is.EqualTo(2000), "every generated pattern has a linear form");
    }

    [Test]
    public void Budget_OnceSpent_StopsBacktrackingMatches_NotLinearOnes()
    {
        var backtracking = SchemaPattern.Compile("^(?=a)a+$");
        var linear = SchemaPattern.Compile("^a+$");
        using (PatternBudget.Start(TimeSpan.FromHours(1)))
            Assert.That(backtracking.TryMatch("aaa", out var matched) && matched, Is.True);
        using (PatternBudget.Start(TimeSpan.Zero))
            Assert.Multiple(() =>
            {
                Assert.That(backtracking.TryMatch("aaa", out _), Is.False);
                Assert.That(linear.TryMatch("aaa", out var linearMatched) && linearMatched, Is.True, "a linear match costs what the record's size allows");
            });
        Assert.That(backtracking.TryMatch("aaa", out var outside) && outside, Is.True, "outside a budget only the match timeout applies");
    }

    static void AssertSameAsBacktracking(SchemaPattern compiled)
    {
        // The same translated pattern without the production match timeout (100 ms): on a loaded machine a
        // backtracking reference match of "a" has been seen to take longer, which says nothing about the pattern.
        var translated = EcmaRegex.Compile(compiled.Source);
        var reference = new System.Text.RegularExpressions.Regex(translated.ToString(), translated.Options, System.Text.RegularExpressions.Regex.InfiniteMatchTimeout);
        foreach (var s in Subjects)
        {
            Assert.That(compiled.TryMatch(s, out var matched), Is.True);
            Assert.That(matched, Is.EqualTo(reference.IsMatch(s)), $"pattern {compiled.Source} on \"{s}\"");
        }
    }
}
