using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace DataExchange.Cli.Infrastructure;

/// <summary>
/// All terminal output goes through here: tables and raw JSON on stdout (the data), messages,
/// hints and progress on stderr so that <c>dx ... --json | jq</c> and <c>dx pull ... &gt; file</c>
/// stay clean.
/// </summary>
public static class Output
{
    public static IAnsiConsole Out { get; } = Create(Console.Out, Console.IsOutputRedirected, redirectedWidth: 200);

    public static IAnsiConsole Err { get; } = Create(Console.Error, Console.IsErrorRedirected, redirectedWidth: 1000);

    static IAnsiConsole Create(TextWriter writer, bool redirected, int redirectedWidth)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer) });
        if (redirected)
        {
            // Without a terminal Spectre assumes 80 columns, which wraps wide tables and every log
            // line; files and CI logs read better unwrapped (scripts should use --json anyway).
            console.Profile.Width = redirectedWidth;
        }

        return console;
    }

    /// <summary>Writes the server's JSON untouched, for scripts.</summary>
    public static void Raw(string json) => Console.Out.WriteLine(json);

    public static void Info(string text) => Err.MarkupLineInterpolated($"[grey]{Lang.T(text)}[/]");

    public static void Success(string text) => Err.MarkupLineInterpolated($"[green]{Lang.T(text)}[/]");

    public static void Warn(string text) => Err.MarkupLineInterpolated($"[yellow]{Lang.T(text)}[/]");

    /// <summary>Renders a list as a table; <paramref name="columns"/> are (header, dotted property path).</summary>
    public static void Table(IEnumerable<JsonNode?> items, params (string Header, string Path)[] columns)
    {
        var list = items.ToList();
        if (list.Count == 0)
        {
            Info("No results.");
            return;
        }

        var table = new Table().Border(TableBorder.Rounded);
        foreach (var (header, _) in columns)
        {
            table.AddColumn(new TableColumn(new Text(Lang.T(header), new Style(decoration: Decoration.Bold))));
        }

        foreach (var item in list)
        {
            table.AddRow(columns.Select(c => (IRenderable)new Text(Format(Get(item, c.Path)))));
        }

        Out.Write(table);
    }

    /// <summary>JSON as people read it: Chinese names and every other non-ASCII character as UTF-8, not \u escapes.</summary>
    public static JsonSerializerOptions Readable { get; } = new() { Encoder = DataExchange.Core.Common.MinimalJsonEncoder.Instance };

    /// <summary>Renders one object as a key/value grid; nested values are shown as compact JSON.</summary>
    public static void Properties(JsonNode? node)
    {
        if (node is not JsonObject obj)
        {
            Raw(node?.ToJsonString(Readable) ?? "null");
            return;
        }

        var grid = new Grid().AddColumn(new GridColumn().NoWrap().PadRight(2)).AddColumn();
        foreach (var (name, value) in obj)
        {
            grid.AddRow(new Text(name, new Style(Color.Grey)), new Text(Format(value)));
        }

        Out.Write(grid);
    }

    /// <summary>Reads a dotted path ("counts.read") from a node, null when any step is missing.</summary>
    public static JsonNode? Get(JsonNode? node, string path)
    {
        foreach (var part in path.Split('.'))
        {
            node = node is JsonObject obj ? obj[part] : null;
        }

        return node;
    }

    /// <summary>Text for one table cell: scalars plainly, arrays of scalars comma-joined, the rest as JSON.</summary>
    public static string Format(JsonNode? node) => node switch
    {
        null => "",
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonValue v => v.ToJsonString(Readable),
        JsonArray a when a.All(e => e is JsonValue or null) => string.Join(", ", a.Select(Format)),
        _ => node.ToJsonString(Readable),
    };

    public static string Format(long value) => value.ToString("N0", CultureInfo.CurrentCulture);

    /// <summary>Items of a <c>{ items: [...], next }</c> page, or an empty list.</summary>
    public static IReadOnlyList<JsonNode?> Items(JsonNode? page) =>
        page?["items"] is JsonArray items ? [.. items] : [];
}
