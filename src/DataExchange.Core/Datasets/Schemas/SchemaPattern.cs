using System.Diagnostics;
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

    /// <summary>Compiles <paramref name="source"/> (ECMA-262 syntax, translated by <see cref="EcmaRegex"/>); throws <see cref="ArgumentException"/> when it is not a valid pattern.</summary>
    public static SchemaPattern Compile(string source)
    {
        // One translation for both engines, so the choice of engine never changes what a pattern means.
        var translated = EcmaRegex.Translate(source);
        try { return new SchemaPattern(source, new Regex(translated, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant), true); }
        catch (NotSupportedException) { }
        return new SchemaPattern(source, new Regex(translated, RegexOptions.CultureInvariant, EcmaRegex.MatchTimeout), false);
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
}
