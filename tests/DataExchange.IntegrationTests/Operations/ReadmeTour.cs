using System.Text;
using System.Text.RegularExpressions;

namespace DataExchange.IntegrationTests.Operations;

/// <summary>One command of the README, with the exit code its comment documents (<c># … (exit 2)</c>, else 0).</summary>
public sealed record ReadmeCommand(string Text, int ExpectedExit);

/// <summary>
/// The README's shell commands from "## A short tour" on, as a reader would paste them: every <c>```bash</c> block in
/// order, except those of the sections named in <see cref="Elsewhere"/>, whose commands other tests run.
/// </summary>
public static partial class ReadmeTour
{
    /// <summary>
    /// Sections whose blocks are run by their own tests: NSwag from its pinned tool path by GeneratedClientTests; the
    /// operator's JSON logs by LogCorrelationTests and backup/restore (against other hosts) by BackupRestoreTests.
    /// </summary>
    public static readonly string[] Elsewhere = ["## For consuming systems: generated clients", "## Operating it"];

    /// <summary>The commands, continuation lines joined, comment-only and blank lines left out.</summary>
    public static IReadOnlyList<ReadmeCommand> Commands(string readme)
    {
        var tour = readme[readme.IndexOf("\n## A short tour", StringComparison.Ordinal)..];
        var commands = new List<ReadmeCommand>();
        string? section = null;
        var inBlock = false;
        var pending = new StringBuilder();
        foreach (var line in tour.Split('\n'))
        {
            if (!inBlock && line.StartsWith("## ", StringComparison.Ordinal)) section = line.TrimEnd();
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                inBlock = !inBlock && line.Trim() == "```bash" && !Elsewhere.Contains(section);
                continue;
            }
            if (!inBlock) continue;
            pending.Append(line);
            if (line.EndsWith('\\'))
            {
                pending.Append('\n');
                continue;
            }
            var command = pending.ToString();
            pending.Clear();
            if (command.Trim().Length == 0 || command.TrimStart().StartsWith('#')) continue;
            var exit = ExitComment().Match(command);
            commands.Add(new ReadmeCommand(command, exit.Success ? int.Parse(exit.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0));
        }
        return commands;
    }

    /// <summary>
    /// A bash script running the commands in one shell (variables carry over) that stops at the first command whose
    /// exit code is not the documented one, writing <c>README-COMMAND-FAILED &lt;index&gt; &lt;exit&gt;</c> to stderr.
    /// </summary>
    public static string Script(IReadOnlyList<ReadmeCommand> commands, Func<string, string> rewrite)
    {
        var script = new StringBuilder("set -o pipefail\n");
        for (var i = 0; i < commands.Count; i++)
        {
            script.Append("echo '>>> README command ").Append(i).Append("' >&2\n");
            script.Append(rewrite(commands[i].Text)).Append('\n');
            script.Append("rc=$?; if [ $rc -ne ").Append(commands[i].ExpectedExit).Append(" ]; then echo \"README-COMMAND-FAILED ")
                .Append(i).Append(" $rc\" >&2; exit 97; fi\n");
        }
        return script.ToString();
    }

    [GeneratedRegex(@"#[^'""]*\(exit (\d+)\)\s*$")]
    private static partial Regex ExitComment();
}
