using System.Collections;
using System.Collections.Concurrent;
using System.Globalization;
using System.Resources;
using System.Text.RegularExpressions;
using Microsoft.Net.Http.Headers;

namespace DataExchange.Server.Hosting;

/// <summary>
/// The localized <c>detail</c> of a problem (issue 18): titles and types stay stable English codes, the detail is
/// written in the caller's language when it asks for one the exchange speaks (Simplified Chinese by
/// <c>Accept-Language: zh…</c>). <c>ProblemText.zh-CN.resx</c> holds two kinds of entries: English sentence templates
/// (<c>Dataset '{0}' does not exist.</c>) whose holes are carried into the translation, and <c>code:&lt;problem code&gt;</c>
/// entries, a sentence for any detail of that code no template matches (the English detail follows it in brackets,
/// so nothing specific is lost). A detail neither covers stays English.
/// </summary>
public static partial class ProblemText
{
    static readonly ResourceManager Resources = new("DataExchange.Server.Hosting.ProblemText", typeof(ProblemText).Assembly);
    static readonly ConcurrentDictionary<string, Catalogue?> Catalogues = new(StringComparer.Ordinal);

    /// <summary>The culture a request's problem details are written in: zh-CN when its <c>Accept-Language</c> prefers Chinese to English, else null (English).</summary>
    public static CultureInfo? CultureOf(HttpRequest request)
    {
        var languages = request.GetTypedHeaders().AcceptLanguage;
        foreach (var language in languages.Where(l => (l.Quality ?? 1) > 0).OrderByDescending(l => l.Quality ?? 1))
        {
            var tag = language.Value.Value ?? "";
            if (tag.StartsWith("zh", StringComparison.OrdinalIgnoreCase)) return CultureInfo.GetCultureInfo("zh-CN");
            if (tag.StartsWith("en", StringComparison.OrdinalIgnoreCase)) return null;
        }
        return null;
    }

    /// <summary><paramref name="english"/> (a detail or an error's message of problem <paramref name="code"/>) in <paramref name="culture"/>; unchanged without a translation.</summary>
    public static string Localize(string english, string? code, CultureInfo? culture)
    {
        if (culture is null || english.Length == 0 || Catalogues.GetOrAdd(culture.Name, _ => Catalogue.Load(culture)) is not { } catalogue) return english;
        foreach (var (pattern, translation) in catalogue.Templates)
            if (pattern.Match(english) is { Success: true } m)
                return string.Format(CultureInfo.InvariantCulture, translation, [.. m.Groups.Cast<Group>().Skip(1).Select(g => (object)g.Value)]);
        return code is not null && catalogue.Codes.TryGetValue(code, out var sentence) ? $"{sentence}（{english}）" : english;
    }

    sealed record Catalogue(IReadOnlyList<(Regex Pattern, string Translation)> Templates, IReadOnlyDictionary<string, string> Codes)
    {
        public static Catalogue? Load(CultureInfo culture)
        {
            if (Resources.GetResourceSet(culture, createIfNotExists: true, tryParents: false) is not { } set) return null;
            var templates = new List<(Regex, string)>();
            var codes = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (DictionaryEntry entry in set)
            {
                if (entry.Key is not string key || entry.Value is not string value) continue;
                if (key.StartsWith("code:", StringComparison.Ordinal)) codes[key[5..]] = value;
                else templates.Add((new Regex("^" + Hole().Replace(Regex.Escape(key), "(.+?)") + "$", RegexOptions.Singleline | RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100)), value));
            }
            // The longest template first: the most specific wins where two could match.
            return new Catalogue([.. templates.OrderByDescending(t => t.Item1.ToString().Length)], codes);
        }
    }

    [GeneratedRegex(@"\\\{\d+}")]
    private static partial Regex Hole();
}
