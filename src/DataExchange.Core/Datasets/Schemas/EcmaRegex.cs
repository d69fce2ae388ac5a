using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace DataExchange.Core.Datasets.Schemas;

/// <summary>
/// ECMA-262 regular expressions (with the u flag's Unicode semantics, as JSON Schema's pattern and
/// patternProperties use them) translated to .NET patterns of the same meaning: \d, \w and \b are ASCII, \s is
/// ECMAScript's white space and line terminators, "." excludes only line terminators, "$" matches only at the
/// end, and classes, "." and astral characters match whole code points. Syntax ECMAScript refuses (\a, inline
/// flags, (?P…), a lone brace) is refused here too.
/// </summary>
internal sealed class EcmaRegex
{
    /// <summary>The longest one match of a backtracking pattern may run: 100 ms.</summary>
    public static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(100);

    const string Word = "[0-9A-Z_a-z]";
    const string WordBoundary = $"(?:(?<={Word})(?!{Word})|(?<!{Word})(?={Word}))";
    const string NotWordBoundary = $"(?:(?<={Word})(?={Word})|(?<!{Word})(?!{Word}))";

    readonly string _p;
    readonly StringBuilder _out = new();
    int _i;

    EcmaRegex(string pattern) => _p = pattern;

    /// <summary>Why <paramref name="pattern"/> cannot be enforced; null when it can.</summary>
    public static (string Code, string Message)? Problem(string pattern)
    {
        try
        {
            _ = Compile(pattern);
            return null;
        }
        catch (NotSupportedException e)
        {
            return ("pattern-not-enforced", $"The pattern {pattern} uses {e.Message}, which the exchange cannot match exactly as ECMA-262 does; write the characters out in a class ([\\u0370-\\u03FF] rather than \\p{{Script=Greek}}) instead.");
        }
        catch (ArgumentException e)
        {
            return ("invalid-pattern", $"The pattern {pattern} is not a valid ECMA-262 regular expression: {e.Message}{Hint(pattern)}");
        }
    }

    // What to write instead, for the habits of other regex dialects.
    static string Hint(string pattern) =>
        pattern.Contains("(?P", StringComparison.Ordinal) ? " Write a named group as (?<name>…) and refer to it as \\k<name>."
        : pattern.StartsWith("(?", StringComparison.Ordinal) && pattern.Length > 2 && char.IsAsciiLetter(pattern[2]) ? " ECMA-262 has no inline flags; write both cases in a class, e.g. [Aa]."
        : pattern.Contains("(?>", StringComparison.Ordinal) ? " ECMA-262 has no atomic groups; a plain group (?:…) means the same for a match's result."
        : pattern.Contains("(?#", StringComparison.Ordinal) ? " ECMA-262 has no comment groups; put the comment in $comment."
        : pattern.Contains("\\a", StringComparison.Ordinal) ? " For the bell character write \\x07."
        : "";

    /// <summary>The .NET pattern with the meaning of the ECMA-262 <paramref name="pattern"/>; throws <see cref="ArgumentException"/> on bad syntax.</summary>
    public static string Translate(string pattern)
    {
        var t = new EcmaRegex(pattern);
        t.Disjunction();
        if (t._i < pattern.Length) throw t.Error(pattern[t._i] == ')' ? "unmatched ')'" : "unexpected character");
        return t._out.ToString();
    }

    /// <summary>The backtracking form, with <see cref="MatchTimeout"/>; <see cref="SchemaPattern"/> prefers the linear engine where it can.</summary>
    public static Regex Compile(string pattern) => new(Translate(pattern), RegexOptions.CultureInvariant, MatchTimeout);

    ArgumentException Error(string what) => new($"{what} at offset {_i}.");

    bool More => _i < _p.Length;

    char Peek => _p[_i];

    void Disjunction()
    {
        Alternative();
        while (More && Peek == '|')
        {
            _i++;
            _out.Append('|');
            Alternative();
        }
    }

    void Alternative()
    {
        while (More && Peek is not ('|' or ')'))
        {
            var quantifiable = Term();
            if (More && Peek is '*' or '+' or '?' or '{')
            {
                if (!quantifiable) throw Error("nothing to repeat");
                Quantifier();
            }
        }
    }

    void Quantifier()
    {
        if (Peek == '{')
        {
            var close = _p.IndexOf('}', _i);
            var body = close < 0 ? "" : _p[(_i + 1)..close];
            var parts = body.Split(',');
            if (parts.Length > 2 || parts[0].Length == 0 || !parts.All(p => p.All(char.IsAsciiDigit))) throw Error("a lone '{'");
            if (parts.Length == 2 && parts[1].Length > 0 && BigInteger(parts[1]) < BigInteger(parts[0])) throw Error("numbers out of order in {}");
            _out.Append(_p, _i, close - _i + 1);
            _i = close + 1;
        }
        else _out.Append(_p[_i++]);
        if (More && Peek == '?') _out.Append(_p[_i++]);
    }

    static System.Numerics.BigInteger BigInteger(string digits) => System.Numerics.BigInteger.Parse(digits, CultureInfo.InvariantCulture);

    /// <summary>One assertion or atom; whether a quantifier may follow it.</summary>
    bool Term()
    {
        var c = _p[_i++];
        switch (c)
        {
            case '^': _out.Append('^'); return false;
            case '$': _out.Append(@"\z"); return false;
            case '.': _out.Append(EcmaProperties.LineTerminators.Complement().ToPattern()); return true;
            case '[': _out.Append(Class().ToPattern()); return true;
            case '(': return Group();
            case '\\': return Escape();
            case ')' or ']' or '{' or '}' or '*' or '+' or '?': _i--; throw Error($"a lone '{c}'");
        }
        Literal(char.IsHighSurrogate(c) && More && char.IsLowSurrogate(Peek) ? char.ConvertToUtf32(c, _p[_i++]) : c);
        return true;
    }

    bool Group()
    {
        var lookaround = false;
        if (More && Peek == '?')
        {
            var rest = _p.AsSpan(_i);
            if (rest.StartsWith("?:") || rest.StartsWith("?=") || rest.StartsWith("?!")) { lookaround = rest[1] != ':'; _out.Append('(').Append(rest[..2]); _i += 2; }
            else if (rest.StartsWith("?<=") || rest.StartsWith("?<!")) { lookaround = true; _out.Append('(').Append(rest[..3]); _i += 3; }
            else if (rest.StartsWith("?<") && GroupName(_i + 2) is { } name) { _out.Append("(?<").Append(name).Append('>'); _i += name.Length + 3; }
            else throw Error("a group syntax ECMA-262 does not have");
        }
        else _out.Append('(');
        Disjunction();
        if (!More || Peek != ')') throw Error("missing ')'");
        _i++;
        _out.Append(')');
        // u mode: lookarounds cannot be quantified (lookbehinds never could).
        return !lookaround;
    }

    string? GroupName(int at)
    {
        var close = _p.IndexOf('>', at);
        if (close <= at) return null;
        var name = _p[at..close];
        return (char.IsAsciiLetter(name[0]) || name[0] is '_' or '$') && name.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '_' or '$') && !name.Contains('$') ? name : null;
    }

    bool Escape()
    {
        if (!More) throw Error("'\\' at the end");
        var e = _p[_i];
        switch (e)
        {
            case 'b': _i++; _out.Append(WordBoundary); return false;
            case 'B': _i++; _out.Append(NotWordBoundary); return false;
            case >= '1' and <= '9':
                var start = _i;
                while (More && char.IsAsciiDigit(Peek)) _i++;
                _out.Append(@"\").Append(_p, start, _i - start).Append("(?:)");
                return true;
            case 'k':
                _i++;
                if (!More || Peek != '<' || GroupName(_i + 1) is not { } name) throw Error("\\k without a group name");
                _out.Append(@"\k<").Append(name).Append('>');
                _i += name.Length + 2;
                return true;
        }
        if (ClassEscape() is { } set) _out.Append(set.ToPattern());
        else Literal(CharacterEscape());
        return true;
    }

    /// <summary>\d \D \w \W \s \S \p{…} \P{…} as a set; null (nothing consumed) for any other escape.</summary>
    CodePointSet? ClassEscape()
    {
        var e = _p[_i];
        CodePointSet? set = e switch
        {
            'd' or 'D' => EcmaProperties.Digits,
            'w' or 'W' => EcmaProperties.WordCharacters,
            's' or 'S' => EcmaProperties.WhiteSpace,
            'p' or 'P' => null,
            _ => null,
        };
        if (set is null && e is not ('p' or 'P')) return null;
        _i++;
        set ??= Property();
        return char.IsUpper(e) ? set.Complement() : set;
    }

    CodePointSet Property()
    {
        var close = More && Peek == '{' ? _p.IndexOf('}', _i) : -1;
        if (close < 0) throw Error("\\p without {name}");
        var name = _p[(_i + 1)..close];
        _i = close + 1;
        return EcmaProperties.Named(name) ?? throw (name.Contains('=') || EcmaProperties.IsKnownOther(name)
            ? new NotSupportedException($"the Unicode property \\p{{{name}}}")
            : Error($"unknown Unicode property '{name}'"));
    }

    /// <summary>A character escape's code point: \t \n \v \f \r \cX \0 \xHH \uHHHH \u{H…} or a syntax character.</summary>
    int CharacterEscape()
    {
        var e = _p[_i++];
        switch (e)
        {
            case 't': return '\t';
            case 'n': return '\n';
            case 'v': return '\v';
            case 'f': return '\f';
            case 'r': return '\r';
            case '0' when !More || !char.IsAsciiDigit(Peek): return 0;
            case 'c' when More && char.IsAsciiLetter(Peek): return _p[_i++] % 32;
            case 'x': return Hex(2);
            case 'u':
                if (More && Peek == '{')
                {
                    var close = _p.IndexOf('}', _i);
                    if (close < 0 || close == _i + 1 || !int.TryParse(_p.AsSpan(_i + 1, close - _i - 1), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var cp) || cp > 0x10FFFF)
                        throw Error("a bad \\u{…} escape");
                    _i = close + 1;
                    return cp;
                }
                var unit = Hex(4);
                // u mode: an escaped surrogate pair is one code point.
                if (char.IsHighSurrogate((char)unit) && _p.AsSpan(_i).StartsWith(@"\u") && _i + 6 <= _p.Length
                    && int.TryParse(_p.AsSpan(_i + 2, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var low) && char.IsLowSurrogate((char)low))
                {
                    _i += 6;
                    return char.ConvertToUtf32((char)unit, (char)low);
                }
                return unit;
            case '^' or '$' or '\\' or '.' or '*' or '+' or '?' or '(' or ')' or '[' or ']' or '{' or '}' or '|' or '/': return e;
            case '-' when _inClass: return e;
        }
        _i--;
        throw Error($"'\\{e}' is no ECMA-262 escape");
    }

    int Hex(int digits)
    {
        if (_i + digits > _p.Length || !int.TryParse(_p.AsSpan(_i, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var v))
            throw Error("a bad hexadecimal escape");
        _i += digits;
        return v;
    }

    bool _inClass;

    /// <summary>A character class from after its "[" to its "]": the union of its characters, ranges and class escapes.</summary>
    CodePointSet Class()
    {
        var negated = More && Peek == '^';
        if (negated) _i++;
        _inClass = true;
        var set = CodePointSet.Empty;
        while (true)
        {
            if (!More) throw Error("missing ']'");
            if (Peek == ']') { _i++; break; }
            var (from, fromSet) = ClassAtom();
            if (More && Peek == '-' && _i + 1 < _p.Length && _p[_i + 1] != ']')
            {
                _i++;
                var (to, toSet) = ClassAtom();
                if (fromSet is not null || toSet is not null) throw Error("a class escape in a range");
                if (to < from) throw Error("range out of order");
                set = set.Union([(from, to)]);
            }
            else set = fromSet is not null ? set.Union(fromSet) : set.Union([(from, from)]);
        }
        _inClass = false;
        return negated ? set.Complement() : set;
    }

    (int CodePoint, CodePointSet? Set) ClassAtom()
    {
        var c = _p[_i++];
        if (c != '\\') return (char.IsHighSurrogate(c) && More && char.IsLowSurrogate(Peek) ? char.ConvertToUtf32(c, _p[_i++]) : c, null);
        if (!More) throw Error("'\\' at the end");
        if (Peek == 'b') { _i++; return ('\b', null); }
        if (ClassEscape() is { } set) return (-1, set);
        return (CharacterEscape(), null);
    }

    void Literal(int cp)
    {
        var text = char.ConvertFromUtf32(cp);
        if (text.Length == 2) _out.Append("(?:").Append(CodePointSet.Of((cp, cp)).ToPattern()).Append(')');
        else _out.Append(CodePointSet.Of((cp, cp)).ToPattern());
    }
}
