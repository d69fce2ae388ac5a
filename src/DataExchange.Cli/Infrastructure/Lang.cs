using System.Text.RegularExpressions;

namespace DataExchange.Cli.Infrastructure;

/// <summary>
/// The language of dx's human-readable output (issue 18): English, or Simplified Chinese chosen by <c>--lang zh-CN</c>
/// (anywhere on the command line) or else by the locale variables <c>LC_ALL</c>, <c>LC_MESSAGES</c>, <c>LANG</c> in that
/// order (<c>zh_CN.UTF-8</c>, <c>zh</c>…). Messages, hints, table headers and "No results." are translated
/// (<see cref="ZhCn"/>: English sentences, <c>{0}</c> marking a hole carried into the translation); the server is asked
/// for its problem details in the same language. Data, <c>--json</c> and exit codes never change.
/// </summary>
public static partial class Lang
{
    /// <summary>Whether dx speaks Simplified Chinese in this run.</summary>
    public static bool Chinese { get; private set; }

    /// <summary>The language tag of this run (<c>en</c> or <c>zh-CN</c>), sent as <c>Accept-Language</c>.</summary>
    public static string Tag => Chinese ? "zh-CN" : "en";

    /// <summary>Chooses the language and returns <paramref name="args"/> without <c>--lang VALUE</c> / <c>--lang=VALUE</c>.</summary>
    public static string[] Choose(string[] args, Func<string, string?> environment)
    {
        string? chosen = null;
        var rest = new List<string>(args.Length);
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--lang" && i + 1 < args.Length) chosen = args[++i];
            else if (args[i].StartsWith("--lang=", StringComparison.Ordinal)) chosen = args[i]["--lang=".Length..];
            else rest.Add(args[i]);
        }
        // POSIX order: LC_ALL overrides LC_MESSAGES, which overrides LANG; an empty variable counts as unset.
        chosen ??= new[] { "LC_ALL", "LC_MESSAGES", "LANG" }.Select(environment).FirstOrDefault(v => !string.IsNullOrEmpty(v));
        Chinese = chosen is not null && chosen.StartsWith("zh", StringComparison.OrdinalIgnoreCase);
        return [.. rest];
    }

    /// <summary><paramref name="english"/> in this run's language; unchanged in English or without a translation.</summary>
    public static string T(string english)
    {
        if (!Chinese) return english;
        if (ZhCn.TryGetValue(english, out var exact)) return exact;
        foreach (var (pattern, translation) in Templates.Value)
            if (pattern.Match(english) is { Success: true } m)
                return string.Format(System.Globalization.CultureInfo.InvariantCulture, translation, [.. m.Groups.Cast<Group>().Skip(1).Select(g => (object)g.Value)]);
        return english;
    }

    [GeneratedRegex(@"\\\{\d+}")]
    private static partial Regex Hole();
}
