using System.Globalization;
using System.Text;

namespace DataExchange.Core.Datasets.Schemas;

/// <summary>
/// A set of Unicode code points as sorted, disjoint ranges, and its .NET regex form over UTF-16: BMP ranges in one
/// class, supplementary ones as surrogate pairs, so a class matches one whole code point as ECMA-262's u mode does.
/// </summary>
internal sealed class CodePointSet
{
    const int Max = 0x10FFFF;
    readonly List<(int From, int To)> _ranges;

    CodePointSet(List<(int, int)> ranges) => _ranges = ranges;

    public static CodePointSet Empty => new([]);

    public static CodePointSet Of(params (int From, int To)[] ranges) => new CodePointSet([]).Union(ranges);

    public CodePointSet Union(IEnumerable<(int From, int To)> more)
    {
        var all = _ranges.Concat(more).OrderBy(r => r.From).ToList();
        var merged = new List<(int, int)>();
        foreach (var (from, to) in all)
            if (merged.Count > 0 && from <= merged[^1].Item2 + 1) merged[^1] = (merged[^1].Item1, Math.Max(merged[^1].Item2, to));
            else merged.Add((from, to));
        return new CodePointSet(merged);
    }

    public CodePointSet Union(CodePointSet other) => Union(other._ranges);

    /// <summary>Every code point not in the set (surrogates excluded: a well-formed string has none alone).</summary>
    public CodePointSet Complement()
    {
        var result = new List<(int, int)>();
        var next = 0;
        foreach (var (from, to) in _ranges)
        {
            if (from > next) result.Add((next, from - 1));
            next = to + 1;
        }
        if (next <= Max) result.Add((next, Max));
        return new CodePointSet(result);
    }

    /// <summary>The code points of a general category (computed once per category from the platform's Unicode data).</summary>
    public static CodePointSet Category(UnicodeCategory category) => Categories.Value[(int)category];

    static readonly Lazy<CodePointSet[]> Categories = new(() =>
    {
        var sets = Enumerable.Range(0, 30).Select(_ => new List<(int, int)>()).ToArray();
        for (var cp = 0; cp <= Max; cp++)
        {
            var list = sets[(int)CharUnicodeInfo.GetUnicodeCategory(cp)];
            if (list.Count > 0 && list[^1].Item2 == cp - 1) list[^1] = (list[^1].Item1, cp);
            else list.Add((cp, cp));
        }
        return [.. sets.Select(s => new CodePointSet(s))];
    });

    /// <summary>The .NET pattern matching exactly one code point of the set.</summary>
    public string ToPattern()
    {
        var bmp = new StringBuilder();
        var astral = new List<string>();
        foreach (var (from, to) in _ranges)
        {
            foreach (var (a, b) in new[] { (from, Math.Min(to, 0xD7FF)), (Math.Max(from, 0xE000), Math.Min(to, 0xFFFF)) })
                if (a <= b) bmp.Append(Escape(a)).Append(a == b ? "" : "-" + Escape(b));
            if (to >= 0x10000) AddAstral(Math.Max(from, 0x10000), to, astral);
        }
        var cls = bmp.Length > 0 ? "[" + bmp + "]" : null;
        if (astral.Count == 0) return cls ?? @"[^\u0000-\uFFFF]";
        return "(?:" + string.Join("|", cls is null ? astral : astral.Prepend(cls)) + ")";
    }

    static void AddAstral(int from, int to, List<string> alternatives)
    {
        var (hiFrom, loFrom) = Surrogates(from);
        var (hiTo, loTo) = Surrogates(to);
        if (hiFrom == hiTo)
        {
            alternatives.Add($"{Escape(hiFrom)}[{Escape(loFrom)}-{Escape(loTo)}]");
            return;
        }
        // Whole high surrogates in one alternative: all of the astral planes is one [\uD800-\uDBFF][\uDC00-\uDFFF].
        var first = loFrom == 0xDC00 ? hiFrom : hiFrom + 1;
        var last = loTo == 0xDFFF ? hiTo : hiTo - 1;
        if (loFrom != 0xDC00) alternatives.Add($"{Escape(hiFrom)}[{Escape(loFrom)}-\\uDFFF]");
        if (first <= last) alternatives.Add($"[{Escape(first)}-{Escape(last)}][\\uDC00-\\uDFFF]");
        if (loTo != 0xDFFF) alternatives.Add($"{Escape(hiTo)}[\\uDC00-{Escape(loTo)}]");
    }

    static (int High, int Low) Surrogates(int cp) => (0xD800 + ((cp - 0x10000) >> 10), 0xDC00 + ((cp - 0x10000) & 0x3FF));

    static string Escape(int c) => $"\\u{c:X4}";
}
