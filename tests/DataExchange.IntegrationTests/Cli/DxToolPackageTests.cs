using System.Diagnostics;
using DataExchange.IntegrationTests.Hosting;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Cli;

/// <summary>
/// Issue 18, item 5: <c>dx</c> through <c>dotnet run</c> took 4–9 s a call and its alias broke after <c>cd</c>. It ships
/// as a .NET tool: the built project packs (no second build) and installs into a tool path, where <c>dx</c> runs.
/// </summary>
[TestFixture, Category(TestCategories.Slow)]
public sealed class DxToolPackageTests
{
    [Test, CancelAfter(180_000)]
    public async Task Dx_PacksAsATool_InstallsIntoAToolPath_AndRuns(CancellationToken cancellationToken)
    {
        var work = Directory.CreateTempSubdirectory("dx-tool-");
        try
        {
            var packages = Path.Combine(work.FullName, "packages");
            var tools = Path.Combine(work.FullName, "bin");
            var configuration = DxProcess.DxDll.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
            await RunAsync("dotnet", ["pack", Path.Combine(Samples.RepositoryRoot, "src", "DataExchange.Cli"), "-c", configuration, "--no-build", "-o", packages, "-nologo"], cancellationToken);
            Assert.That(Directory.GetFiles(packages, "DataExchange.Cli.*.nupkg"), Has.Length.EqualTo(1));

            await RunAsync("dotnet", ["tool", "install", "DataExchange.Cli", "--tool-path", tools, "--add-source", packages], cancellationToken);

            var dx = Path.Combine(tools, OperatingSystem.IsWindows() ? "dx.exe" : "dx");
            var version = await RunAsync(dx, ["--version"], cancellationToken);
            Assert.That(version.Trim(), Does.Match(@"^\d+\.\d+\.\d+"), "the installed dx prints its version");
            var help = await RunAsync(dx, ["--help"], cancellationToken);
            Assert.That(help, Does.Contain("USAGE:").And.Contain("subscriptions").And.Contain("Exit codes"), "and its help");
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    /// <summary>Runs a program from a folder outside the repository (the installed tool must not need it); returns stdout, failing on a non-zero exit.</summary>
    static async Task<string> RunAsync(string program, string[] args, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = Path.GetTempPath() };
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["NO_COLOR"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        Assert.That(process.ExitCode, Is.Zero, $"{program} {string.Join(' ', args)}\n{await stdout}\n{await stderr}");
        return await stdout;
    }
}
