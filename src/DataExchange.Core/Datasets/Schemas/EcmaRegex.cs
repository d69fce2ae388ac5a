using System.Text.RegularExpressions;

namespace DataExchange.Core.Datasets.Schemas;

/// <summary>ECMA-262 regular expressions, as JSON Schema's pattern and patternProperties use them, run by .NET.</summary>
internal static class EcmaRegex
{
    /// <summary>Why <paramref name="pattern"/> cannot be enforced faithfully; null when it can.</summary>
    public static (string Code, string Message)? Problem(string pattern)
    {
        // .NET matches UTF-16 units, so "🐲*" would repeat only the low surrogate: refuse rather than mis-match.
        if (pattern.Any(char.IsSurrogate))
            return ("pattern-not-enforced", "Patterns with characters beyond U+FFFF cannot be matched faithfully; use an escape-free range of BMP characters or drop the pattern.");
        try
        {
            _ = Compile(pattern);
            return null;
        }
        catch (ArgumentException e)
        {
            return ("invalid-pattern", $"The pattern is not a valid ECMA-262 regular expression: {e.Message}");
        }
    }

    /// <summary>The longest one match of a backtracking pattern may run: 100 ms.</summary>
    public static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Regex matching with ECMA-262 semantics where .NET differs: '$' matches only at the very end. The backtracking
    /// form; <see cref="SchemaPattern"/> chooses the linear engine where it means the same.
    /// </summary>
    public static Regex Compile(string pattern) =>
        new(EcmaDollar(pattern), RegexOptions.ECMAScript, MatchTimeout);

    // .NET's '$' also matches before a final "\n" (so "^a$" accepts "a\n"); ECMA-262's does not.
    static string EcmaDollar(string pattern)
    {
        var sb = new System.Text.StringBuilder(pattern.Length + 8);
        var inClass = false;
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '\\' && i + 1 < pattern.Length) { sb.Append(c).Append(pattern[++i]); continue; }
            if (c == '[') inClass = true;
            else if (c == ']') inClass = false;
            if (c == '$' && !inClass) sb.Append("(?![\\s\\S])");
            else sb.Append(c);
        }
        return sb.ToString();
    }
}
