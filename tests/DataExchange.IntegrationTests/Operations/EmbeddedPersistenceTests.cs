using System.Net;
using System.Net.Http.Json;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Operations;

/// <summary>
/// Issue 18, item 2: without <c>--demo</c> the embedded cluster keeps its data across a stop and a start (it threw
/// everything away at every Ctrl+C), and a data folder the postgres user cannot reach fails at once with a message
/// naming the setting (it died after 65 s with initdb's stack trace).
/// </summary>
[TestFixture]
public sealed class EmbeddedPersistenceTests
{
    [Test, CancelAfter(300_000)]
    public async Task WithoutDemo_TheEmbeddedClusterKeepsItsData_AcrossRestarts(CancellationToken cancellationToken)
    {
        var tmp = ServerProcess.OpenTempFolder("dx-persist-");
        var dataDir = Path.Combine(tmp.FullName, "state", "postgres");
        var environment = new Dictionary<string, string> { ["EmbeddedPostgres__DataDirectory"] = dataDir };
        try
        {
            var adminKey = await ServerProcess.BootstrapAdminAsync(environment, cancellationToken);
            var url = $"http://127.0.0.1:{ServerProcess.FreePort()}";
            using var http = new HttpClient { BaseAddress = new Uri(url) };
            http.DefaultRequestHeaders.Authorization = new("Bearer", adminKey);
            await using (var first = ServerProcess.Start(["--urls", url], environment))
            {
                await first.WaitForLineAsync("Now listening on", cancellationToken);
                var created = await http.PostAsJsonAsync("/api/v1/agencies", new { code = "persist-a", name = "Kept across restarts" }, cancellationToken);
                Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created), await created.Content.ReadAsStringAsync(cancellationToken));
            }
            Assert.That(File.Exists(Path.Combine(dataDir, "PG_VERSION")), "the cluster stays in the configured folder after the stop");

            await using (var again = ServerProcess.Start(["--urls", url], environment))
            {
                await again.WaitForLineAsync("Now listening on", cancellationToken);
                var agencies = await http.GetStringAsync("/api/v1/agencies", cancellationToken);
                Assert.That(agencies, Does.Contain("Kept across restarts"), "the agency created before the restart, read with the key issued before it");
            }
            await using (var second = ServerProcess.Start(["--bootstrap-admin"], environment))
            {
                await second.WaitForLineAsync("An admin key already exists", cancellationToken);
                await second.WaitForExitAsync(cancellationToken);
                Assert.That(second.ExitCode, Is.EqualTo(1), "bootstrap runs once per database");
            }
        }
        finally
        {
            ServerProcess.TryDelete(tmp);
        }
    }

    [Test, CancelAfter(60_000)]
    public async Task ADataFolderThePostgresUserCannotReach_FailsAtOnce_NamingTheSetting(CancellationToken cancellationToken)
    {
        if (!Environment.IsPrivilegedProcess || !OperatingSystem.IsLinux())
            Assert.Ignore("Only root hands the cluster to the postgres user; as another user the folder is the caller's own.");
        var closed = Directory.CreateTempSubdirectory("dx-closed-");
        if (OperatingSystem.IsLinux()) File.SetUnixFileMode(closed.FullName, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        try
        {
            var started = DateTime.UtcNow;
            await using var server = ServerProcess.Start(["--urls", $"http://127.0.0.1:{ServerProcess.FreePort()}"],
                new Dictionary<string, string> { ["EmbeddedPostgres__DataDirectory"] = Path.Combine(closed.FullName, "pg") });
            var line = await server.WaitForLineAsync("cannot reach", cancellationToken);
            await server.WaitForExitAsync(cancellationToken);
            Assert.That(server.ExitCode, Is.Not.Zero);
            Assert.That(line, Does.Contain("EmbeddedPostgres:DataDirectory"));
            Assert.That(DateTime.UtcNow - started, Is.LessThan(TimeSpan.FromSeconds(45)), "fails at once, not after initdb's timeouts");
        }
        finally
        {
            ServerProcess.TryDelete(closed);
        }
    }
}
