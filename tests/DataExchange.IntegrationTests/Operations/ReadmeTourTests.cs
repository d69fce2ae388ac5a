using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using DataExchange.IntegrationTests.Hosting;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Operations;

/// <summary>
/// Issue 18, item 3: the README tour failed as written (a steward key of another agency, a manifest.json that did not
/// exist, <c>sub_…</c> and run 7 as placeholders). Its commands run here exactly as written — dx installed as the
/// README installs it — on a copy of the working tree, against the demo server started as the README starts it;
/// the only rewrite is the port. Each command must end with the exit code its comment documents.
/// </summary>
[TestFixture, Category(TestCategories.Slow)]
public sealed class ReadmeTourTests
{
    static readonly string[] NotCopied = ["bin", "obj", ".git", ".dx", "TestResults", "node_modules", "tools"];

    [Test]
    public void TheTourIsExtracted_WithItsDocumentedRefusals()
    {
        var commands = ReadmeTour.Commands(File.ReadAllText(Path.Combine(Samples.RepositoryRoot, "README.md")));
        Assert.That(commands.Select(c => c.Text), Has.Some.StartsWith("dotnet tool install DataExchange.Cli"), "the install block is part of the tour");
        Assert.That(commands.Select(c => c.Text), Has.Some.StartsWith("curl -sS --fail-with-body -X POST $API/datasets"), "and the curl tour");
        Assert.That(commands.Select(c => c.Text), Has.Some.StartsWith("dx audit verify"), "and the auditor's offline check");
        Assert.That(commands.Where(c => c.ExpectedExit != 0).Select(c => c.ExpectedExit), Is.EquivalentTo(new[] { 8, 2 }));
        Assert.That(commands.Select(c => c.Text), Has.None.Contains("nswag"), "generated clients are run by GeneratedClientTests");
    }

    [Test, CancelAfter(900_000)]
    public async Task EveryReadmeCommand_WorksAsWritten_OnAFreshCloneAndDemo(CancellationToken cancellationToken)
    {
        foreach (var tool in new[] { "bash", "jq", "curl" })
            if (!OnPath(tool)) Assert.Ignore($"The README tour needs {tool}.");
        var commands = ReadmeTour.Commands(await File.ReadAllTextAsync(Path.Combine(Samples.RepositoryRoot, "README.md"), cancellationToken));
        var tmp = ServerProcess.OpenTempFolder("dx-tour-");
        try
        {
            var clone = Directory.CreateDirectory(Path.Combine(tmp.FullName, "clone"));
            CopyTree(new DirectoryInfo(Samples.RepositoryRoot), clone);
            var port = ServerProcess.FreePort();
            var environment = new Dictionary<string, string> { ["TMPDIR"] = tmp.FullName };
            await using var server = ServerProcess.Start(["--demo", "--urls", $"http://127.0.0.1:{port}"], environment);
            await server.WaitForLineAsync("DataExchange demo is running", cancellationToken);

            var script = Path.Combine(tmp.FullName, "tour.sh");
            await File.WriteAllTextAsync(script, ReadmeTour.Script(commands, c => c.Replace("127.0.0.1:5080", $"127.0.0.1:{port}", StringComparison.Ordinal)), cancellationToken);
            var (exit, stdout, stderr) = await BashAsync(script, clone.FullName, new Dictionary<string, string>
            {
                ["TMPDIR"] = tmp.FullName,
                ["DX_CONFIG"] = Path.Combine(tmp.FullName, "dx-config.json"),
                ["NO_COLOR"] = "1",
                ["DOTNET_NOLOGO"] = "1",
            }, cancellationToken);
            var failed = stderr.Split('\n').FirstOrDefault(l => l.StartsWith("README-COMMAND-FAILED", StringComparison.Ordinal));
            var detail = failed is null ? "" : $"{commands[int.Parse(failed.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture)].Text}\nexited {failed.Split(' ')[2]}";
            Assert.That(exit, Is.Zero, $"{detail}\n--- stdout (tail)\n{Tail(stdout)}\n--- stderr (tail)\n{Tail(stderr)}");

            // What the tour did, read back: the consumer's file, and the datasets both registrations created.
            var licences = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(clone.FullName, "licences.json"), cancellationToken))!.AsArray();
            Assert.That(licences, Has.Count.EqualTo(394));
            Assert.That(licences.Select(r => string.Join(",", r!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal))).Distinct(), Is.EqualTo(new[] { "name,status,uscc" }));
            var credentials = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(tmp.FullName, "dataexchange-demo-credentials.json"), cancellationToken))!;
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", credentials["adminKey"]!.GetValue<string>());
            var found = JsonNode.Parse(await http.GetStringAsync("/api/v1/datasets?q=service", cancellationToken))!["items"]!.AsArray().Select(d => d!["id"]!.GetValue<string>());
            Assert.That(found, Is.SupersetOf(new[] { "gd-dtc.service-points", "gd-transport.service-points" }));
        }
        finally
        {
            ServerProcess.TryDelete(tmp);
        }
    }

    static async Task<(int Exit, string Stdout, string Stderr)> BashAsync(string script, string workingDirectory, Dictionary<string, string> environment, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = workingDirectory };
        start.ArgumentList.Add(script);
        foreach (var name in new[] { "DX_SERVER", "DX_KEY" }) start.Environment.Remove(name);
        foreach (var (k, v) in environment) start.Environment[k] = v;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        try { await process.WaitForExitAsync(cancellationToken); }
        catch (OperationCanceledException) { process.Kill(entireProcessTree: true); throw; }
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>The working tree as a fresh clone has it: sources and samples, no build output, no installed tools.</summary>
    static void CopyTree(DirectoryInfo from, DirectoryInfo to)
    {
        foreach (var file in from.EnumerateFiles()) file.CopyTo(Path.Combine(to.FullName, file.Name));
        foreach (var dir in from.EnumerateDirectories().Where(d => !NotCopied.Contains(d.Name) && d.LinkTarget is null))
            CopyTree(dir, to.CreateSubdirectory(dir.Name));
    }

    static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Any(d => File.Exists(Path.Combine(d, program)));

    static string Tail(string text) => text.Length <= 6000 ? text : text[^6000..];
}
