using System.Net;
using System.Text.Json;
using DataExchange.Server.Hosting;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Operations;

/// <summary>
/// Issue 18, item 1: options after <c>--demo</c> were silently dropped (.NET's command-line provider read
/// <c>--demo --urls X</c> as "demo = --urls"). The real server process, started as the README says but with
/// options after the flag, must listen where it is told, log as it is told, and say where it listens.
/// </summary>
[TestFixture]
public sealed class DemoCommandLineTests
{
    [Test]
    public void TheDemoFlag_IsTakenOut_WhereverItStands()
    {
        Assert.That(CommandLine.Parse(["--demo", "--urls", "http://x:1"]), Is.EqualTo(new CommandLine(true, false, ["--urls", "http://x:1"])).Using<CommandLine>(Same));
        Assert.That(CommandLine.Parse(["--urls", "http://x:1", "--demo", "--role", "api"]), Is.EqualTo(new CommandLine(true, false, ["--urls", "http://x:1", "--role", "api"])).Using<CommandLine>(Same));
        Assert.That(CommandLine.Parse(["--role", "worker"]), Is.EqualTo(new CommandLine(false, false, ["--role", "worker"])).Using<CommandLine>(Same));
        Assert.That(CommandLine.Parse(["--bootstrap-admin", "--urls", "http://x:1"]), Is.EqualTo(new CommandLine(false, true, ["--urls", "http://x:1"])).Using<CommandLine>(Same));
        Assert.That(() => CommandLine.Parse(["--demo=false"]), Throws.ArgumentException.With.Message.Contains("takes no value"));
        Assert.That(() => CommandLine.Parse(["--demo", "--bootstrap-admin"]), Throws.ArgumentException);
    }

    static bool Same(CommandLine a, CommandLine b) => a.Demo == b.Demo && a.BootstrapAdmin == b.BootstrapAdmin && a.ConfigurationArgs.SequenceEqual(b.ConfigurationArgs);

    [Test, CancelAfter(240_000)]
    public async Task DemoThenUrlsThenLogging_ListensThereAndLogsJson(CancellationToken cancellationToken)
    {
        var url = $"http://127.0.0.1:{ServerProcess.FreePort()}";
        // Its own temporary folder so the demo's credentials file and cluster stay out of the way. Mode 0755 and
        // owned by root: the embedded cluster (run as postgres) can traverse it but not create in it, which the
        // server must cope with by creating the cluster's folder itself.
        var tmp = ServerProcess.OpenTempFolder("dx-demo-cli-");
        try
        {
            await using var server = ServerProcess.Start(["--demo", "--urls", url, "--Logging:Console:FormatterName=json"], new Dictionary<string, string> { ["TMPDIR"] = tmp.FullName });
            await server.WaitForLineAsync("DataExchange demo is running", cancellationToken);
            using var http = new HttpClient();
            var ready = await http.GetAsync($"{url}/health/ready", cancellationToken);
            Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the demo listens on the --urls given after --demo");
            Assert.That(server.Lines, Has.Some.Contains($"API:        {url}/api/v1"), "the banner names the address it listens on");
            Assert.That(server.Lines.Where(l => l.StartsWith('{')), Has.Some.Matches<string>(l => l is not null && IsLogJson(l) && l.Contains(url, StringComparison.Ordinal)),
                "the JSON console formatter given after --demo is used, and the log says where the server listens");
        }
        finally
        {
            ServerProcess.TryDelete(tmp);
        }
    }

    static bool IsLogJson(string line)
    {
        try
        {
            using var doc = JsonDocument.Parse(line);
            return doc.RootElement.TryGetProperty("Category", out _) && doc.RootElement.TryGetProperty("LogLevel", out _);
        }
        catch (JsonException) { return false; }
    }
}
