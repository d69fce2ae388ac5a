using System.Diagnostics;
using System.Text.Json.Nodes;
using DataExchange.IntegrationTests.Hosting;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Audit;

/// <summary>
/// Issue 6: <c>dx audit verify</c>, run as a process, checks a real export offline with only the
/// published public key: exit 0 when intact; exit 7 naming the first bad position when tampered.
/// </summary>
[TestFixture]
public sealed class DxAuditVerifyTests
{
    AuditTrailServer _server = null!;
    string _dir = null!;
    string _key = null!;
    List<string> _lines = null!;

    [OneTimeSetUp]
    public async Task ExportAsync()
    {
        _server = await AuditTrailServer.StartWithMainFlowsAsync("audit_cli");
        await _server.CheckpointAsync();
        _dir = Directory.CreateTempSubdirectory("dx-audit-verify-").FullName;
        _key = Path.Combine(_dir, "audit-key.json");
        var published = await new ApiClient(_server.Factory.CreateClient(), null).GetAsync("/.well-known/dataexchange/audit-key");
        await File.WriteAllTextAsync(_key, published.ToJsonString());
        _lines = (await _server.ExportAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
    }

    [OneTimeTearDown]
    public void Stop()
    {
        _server.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Test]
    public async Task Verify_ExitsZero_OnAnIntactExport()
    {
        var (exit, output) = await VerifyAsync(_lines);

        Assert.That(exit, Is.EqualTo(0), output);
        Assert.That(output, Does.Contain($"checkpoint at tree size {_lines.Count - 1}"));
    }

    [Test]
    public async Task Verify_NamesThePosition_OfAnEditedEntry()
    {
        var lines = _lines.ToList();
        var entry = JsonNode.Parse(lines[4])!;
        entry["actorAgency"] = "someone-else";
        lines[4] = entry.ToJsonString();

        var (exit, output) = await VerifyAsync(lines);

        Assert.That(exit, Is.EqualTo(7), output);
        Assert.That(output, Does.Contain("position 5:").And.Contain("does not match its hash"));
    }

    [Test]
    public async Task Verify_NamesThePosition_WhereTheTailWasCutBeforeTheCheckpoint()
    {
        var lines = _lines.Take(10).Append(_lines[^1]).ToList();

        var (exit, output) = await VerifyAsync(lines);

        Assert.That(exit, Is.EqualTo(7), output);
        Assert.That(output, Does.Contain("position 11:").And.Contain("missing"));
    }

    [Test]
    public async Task Verify_Fails_WithAnotherPublicKey()
    {
        using var other = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var otherKey = Path.Combine(_dir, "other.pem");
        await File.WriteAllTextAsync(otherKey, other.ExportSubjectPublicKeyInfoPem());

        var (exit, output) = await VerifyAsync(_lines, otherKey);

        Assert.That(exit, Is.EqualTo(7), output);
        Assert.That(output, Does.Contain("not by the given public key"));
    }

    async Task<(int Exit, string Output)> VerifyAsync(IEnumerable<string> lines, string? key = null)
    {
        var file = Path.Combine(_dir, Guid.NewGuid().ToString("N") + ".ndjson");
        await File.WriteAllLinesAsync(file, lines);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { DxDll, "audit", "verify", file, "--public-key", key ?? _key }) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    // The CLI project reference (ReferenceOutputAssembly=false) builds dx.dll in the same configuration as the tests.
    static string DxDll
    {
        get
        {
            var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
            var path = Path.Combine(Samples.RepositoryRoot, "src", "DataExchange.Cli", "bin", configuration, "net10.0", "dx.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException("Build the solution first: dx.dll is missing.", path);
        }
    }
}
