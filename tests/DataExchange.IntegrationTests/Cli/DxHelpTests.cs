using System.Text.RegularExpressions;
using System.Xml.Linq;
using DataExchange.Core.Agencies;
using DataExchange.Core.Audit;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Cli;

/// <summary>
/// Issue 18, item 5: <c>dx subscriptions approve --help</c> crashed on a description Spectre read as markup, the audit
/// help's own example named an action that does not exist, and examples showed a key prefix keys do not have. Every
/// help screen of the command tree dx itself reports (<c>dx cli xmldoc</c>, not a hand-kept list) must work.
/// </summary>
[TestFixture]
public sealed partial class DxHelpTests
{
    readonly DxProcess _dx = new(Path.Combine(Path.GetTempPath(), "dx-help-no-config.json"));

    [Test]
    public async Task EveryCommand_PrintsItsHelp()
    {
        var paths = await CommandPathsAsync();
        Assert.That(paths, Has.Count.GreaterThan(30), "the tree as dx reports it");
        Assert.That(paths, Does.Contain("subscriptions approve").And.Contain("audit verify").And.Contain("pull"));
        var failures = new List<string>();
        foreach (var path in paths.Prepend(""))
        {
            var help = await _dx.RunAsync([.. path.Split(' ', StringSplitOptions.RemoveEmptyEntries), "--help"]);
            if (help.ExitCode != 0 || !help.Stdout.Contains("USAGE:", StringComparison.Ordinal) || help.Stderr.Length > 0)
                failures.Add($"dx {path} --help: {help}");
            else if (help.Stdout.Contains("dxk_", StringComparison.Ordinal))
                failures.Add($"dx {path} --help shows a dxk_ key, keys look like dx_k…_…");
        }
        Assert.That(failures, Is.Empty);
    }

    [Test]
    public async Task Version_IsPrinted()
    {
        var version = await _dx.RunAsync(["--version"]);
        Assert.That(version.ExitCode, Is.Zero, version.ToString());
        Assert.That(version.Stdout.Trim(), Does.Match(@"^\d+\.\d+\.\d+"));
    }

    [Test]
    public async Task KeyExamples_HaveTheShapeOfRealKeys()
    {
        var help = await _dx.RunAsync(["login", "--help"]);
        var keys = KeyExample().Matches(help.Stdout).Select(m => m.Value).ToList();
        Assert.That(keys, Is.Not.Empty, help.ToString());
        Assert.That(keys, Has.All.Matches<string>(k => k is not null && ApiKeyFormat.TryParse(k.Replace("…", "x", StringComparison.Ordinal), out _, out _)));
    }

    [Test]
    public async Task AuditActionExamples_AreRealActionNames()
    {
        var help = await _dx.RunAsync(["audit", "search", "--help"]);
        var named = ActionExample().Matches(help.Stdout).Select(m => m.Groups[1].Value)
            .Concat(ActionList().Match(help.Stdout).Groups[1].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            .Distinct().ToList();
        Assert.That(named, Has.Count.GreaterThan(1), help.ToString());
        Assert.That(named, Is.SubsetOf(Enum.GetValues<AuditAction>().Select(AuditNames.Of)));
    }

    /// <summary>Every command and branch path ("subscriptions approve"), from the model dx prints with <c>cli xmldoc</c>.</summary>
    async Task<List<string>> CommandPathsAsync()
    {
        var xml = await _dx.RunAsync(["cli", "xmldoc"]);
        Assert.That(xml.ExitCode, Is.Zero, xml.ToString());
        return [.. XDocument.Parse(xml.Stdout).Descendants("Command")
            .Select(c => string.Join(' ', c.AncestorsAndSelf("Command").Reverse().Select(a => (string)a.Attribute("Name")!)))];
    }

    [GeneratedRegex(@"dx_?k[A-Za-z0-9_.…]+")]
    private static partial Regex KeyExample();

    [GeneratedRegex(@"--action ([a-z.\-]+)")]
    private static partial Regex ActionExample();

    [GeneratedRegex(@"e\.g\.\s+([a-z.\-]+(?:,\s+[a-z.\-]+)*)")]
    private static partial Regex ActionList();
}
