using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace DataExchange.Core.Datasets.Schemas;

/// <summary>
/// A schema's <c>pattern</c>, compiled once: by the linear-time engine (<see cref="RegexOptions.NonBacktracking"/>)
/// whenever it has an exact equivalent there, else by the backtracking engine with a match timeout. Every match
/// on the backtracking engine counts against the <see cref="PatternBudget"/> of the record being checked. The one place where a pattern
/// becomes a <see cref="Regex"/>: the vetter accepts exactly what this compiles.
/// </summary>
/// <remarks>
/// ^(a+)+$ on "aaa…a!" takes 2^n steps backtracking (110 ms at n = 30) and one pass linear (1 µs). The linear
/// engine refuses backreferences, lookarounds and atomic groups; those patterns keep the backtracking engine, whose
/// cost the record's budget caps.
/// </remarks>
internal sealed class SchemaPattern
{
    /// <summary>The longest one backtracking match may run (<see cref="EcmaRegex.Compile"/>'s timeout). A linear one has none (see <see cref="PatternBudget"/>).</summary>
    public static TimeSpan MatchTimeout => EcmaRegex.MatchTimeout;

    readonly Regex _regex;

    SchemaPattern(string source, Regex regex, bool linear)
    {
        Source = source;
        _regex = regex;
        IsLinear = linear;
    }

    /// <summary>The pattern as written in the schema, for messages.</summary>
    public string Source { get; }

    /// <summary>Whether the linear-time engine matches it.</summary>
    public bool IsLinear { get; }

    /// <summary>Compiles <paramref name="source"/> (ECMA-262 syntax, see <see cref="EcmaRegex"/>); throws <see cref="ArgumentException"/> when it is not a valid pattern.</summary>
    public static SchemaPattern Compile(string source)
    {
        // The backtracking form decides what is valid, so the choice of engine never changes what the vetter accepts.
        var backtracking = EcmaRegex.Compile(source);
        if (LinearForm(source) is { } linear)
            try { return new SchemaPattern(source, new Regex(linear, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant), true); }
            catch (Exception e) when (e is NotSupportedException or ArgumentException) { }
        return new SchemaPattern(source, backtracking, false);
    }

    /// <summary>
    /// Whether <paramref name="value"/> matches, in <paramref name="matched"/>; false when it cannot be told: a
    /// backtracking match found the record's <see cref="PatternBudget"/> spent, or ran past <see cref="MatchTimeout"/>.
    /// </summary>
    public bool TryMatch(string value, out bool matched)
    {
        matched = false;
        if (IsLinear)
        {
            matched = _regex.IsMatch(value);
            return true;
        }
        if (PatternBudget.IsSpent) return false;
        var started = Stopwatch.GetTimestamp();
        try
        {
            matched = _regex.IsMatch(value);
            return true;
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
        finally
        {
            PatternBudget.Charge(started);
        }
    }

    // What RegexOptions.ECMAScript makes of the class escapes (its \w includes U+0130), written out for the
    // linear engine, which does not take that option; outside a class and inside one.
    static readonly Dictionary<char, (string Outside, string Inside)> ClassEscapes = new()
    {
        ['d'] = ("[0-9]", "0-9"),
        ['D'] = ("[^0-9]", @"\u0000-/:-\uFFFF"),
        ['w'] = (@"[0-9A-Z_a-z\u0130]", @"0-9A-Z_a-z\u0130"),
        ['W'] = (@"[^0-9A-Z_a-z\u0130]", @"\u0000-/:-@\[-\^`{-\u012F\u0131-\uFFFF"),
        ['s'] = (@"[\t-\r ]", @"\t-\r "),
        ['S'] = (@"[^\t-\r ]", @"\u0000-\u0008\u000E-\u001F!-\uFFFF"),
    };

    /// <summary>
    /// The pattern with the same meaning for the linear engine, or null when that is not certain: word boundaries
    /// (ECMAScript's word characters), backreferences and octal escapes (\1, \k), group constructs other than (?:…)
    /// (lookarounds, atomic groups, inline options), class subtraction, and a class escape at a range's end.
    /// </summary>
    static string? LinearForm(string pattern)
    {
        var sb = new StringBuilder(pattern.Length + 16);
        var inClass = false;
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '\\' && i + 1 < pattern.Length)
            {
                var e = pattern[++i];
                if (e is 'b' or 'B' or 'k' || char.IsAsciiDigit(e)) return null;
                if (ClassEscapes.TryGetValue(e, out var form))
                {
                    if (inClass && (pattern[i - 2] == '-' || (i + 1 < pattern.Length && pattern[i + 1] == '-'))) return null;
                    sb.Append(inClass ? form.Inside : form.Outside);
                }
                else sb.Append(c).Append(e);
                continue;
            }
            if (inClass)
            {
                // Subtraction ([a-[b]]), and a ']' first in a class, which the two syntaxes read differently.
                if (c == '[' || (c == ']' && (sb[^1] == '[' || (sb[^1] == '^' && sb[^2] == '[')))) return null;
                if (c == ']') inClass = false;
            }
            else if (c == '[') inClass = true;
            else if (c == '(' && i + 1 < pattern.Length && pattern[i + 1] == '?' && (i + 2 >= pattern.Length || pattern[i + 2] != ':')) return null;
            sb.Append(!inClass && c == '$' ? @"\z" : c.ToString());
        }
        return sb.ToString();
    }
}
