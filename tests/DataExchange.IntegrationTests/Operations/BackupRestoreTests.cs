using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using DataExchange.Core.Hosting;
using DataExchange.IntegrationTests.Cli;
using DataExchange.IntegrationTests.Console;
using DataExchange.IntegrationTests.Hosting;
using Npgsql;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Operations;

/// <summary>
/// Issue 18 ("Backup and restore"): the documented procedure — <c>ops/backup.sh</c> (real <c>pg_dump</c> and the
/// audit signing key file) and <c>ops/restore.sh</c> (real <c>pg_restore</c>) into a second cluster — gives a
/// server whose audit chain verifies against the old checkpoints (API and <c>dx audit verify</c>), whose pulls
/// return byte for byte what they returned before (hashed masks included: the server secret came along), and
/// whose console still honours a session signed in before the backup (the key ring came along).
/// </summary>
[TestFixture, Category(TestCategories.Slow)]
public sealed class BackupRestoreTests
{
    const string PgBin = "/usr/lib/postgresql/15/bin";

    [Test, CancelAfter(300_000)]
    public async Task ABackupRestoredIntoAFreshCluster_VerifiesServesTheSameRecordsAndKeepsConsoleSessions(CancellationToken cancellationToken)
    {
        if (!File.Exists(Path.Combine(PgBin, "pg_dump"))) Assert.Ignore($"{PgBin}/pg_dump is not installed.");
        var work = ServerProcess.OpenTempFolder("dx-backup-");
        try
        {
            var sourceKey = Path.Combine(work.FullName, "source", "audit-signing-key.pem");
            var backup = Path.Combine(work.FullName, "backup");
            string adminKey, consumerKey, pulled, keyId, sourceDatabase;
            long entries;
            using var browser = new ConsoleHttp();
            using (var source = await KestrelExchange.StartAsync("backup", new Dictionary<string, string?>
            {
                ["Audit:SigningKeyPath"] = sourceKey, ["Audit:CheckpointInterval"] = "00:00:01", ["Audit:CheckpointPollInterval"] = "00:00:00.2",
            }))
            {
                adminKey = source.AdminKey;
                var steward = source.Client(await source.KeyAsync("bak", "steward"));
                consumerKey = await source.KeyAsync("bakc", "consumer");
                await steward.PostAsync("/api/v1/datasets", new
                {
                    id = "bak.people", title = "People", description = "Backed up", keyFields = new[] { "id" }, classification = "internal",
                    schema = JsonNode.Parse("""{"$schema":"http://json-schema.org/draft-07/schema#","type":"object","required":["id"],"properties":{"id":{"type":"string"},"name":{"type":"string"},"phone":{"type":"string"}}}"""),
                    feed = new { source = "upload", format = "ndjson", mode = "snapshot" },
                });
                var (status, run, _) = await steward.SendAsync(HttpMethod.Post, "/api/v1/datasets/bak.people/uploads", content: new StringContent(
                    "{\"id\":\"1\",\"name\":\"李雷\",\"phone\":\"13800000001\"}\n{\"id\":\"2\",\"name\":\"韩梅梅\",\"phone\":\"13800000002\"}\n{\"id\":\"3\",\"name\":\"Wang\",\"phone\":\"13800000003\"}\n",
                    System.Text.Encoding.UTF8, "application/x-ndjson"));
                Assert.That(status, Is.EqualTo(HttpStatusCode.Accepted));
                Assert.That((await steward.WaitForRunAsync("bak.people", run!["id"]!.GetValue<string>()))["status"]!.GetValue<string>(), Is.EqualTo("succeeded"));
                var consumer = source.Client(consumerKey);
                var sub = await consumer.PostAsync("/api/v1/subscriptions", new { datasetId = "bak.people", purpose = "backup test" });
                await steward.PostAsync($"/api/v1/subscriptions/{sub["id"]}/approval", new { policy = new { fields = new[] { "id", "name", "phone" }, masks = new { phone = "hash" } } }, HttpStatusCode.OK);
                pulled = await (await consumer.GetRawAsync("/api/v1/datasets/bak.people/records.ndjson")).Content.ReadAsStringAsync(cancellationToken);
                Assert.That(pulled.Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(3));

                using (var signIn = await browser.SignInAsync(source.Address, adminKey))
                    Assert.That(signIn.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
                Assert.That(browser.Cookies, Does.ContainKey("dx_console"));

                // A checkpoint over the whole chain as it will be dumped.
                var admin = source.Client(adminKey);
                entries = await HeadAsync(source.Factory.ConnectionString);
                while ((await admin.GetAsync("/api/v1/audit/checkpoints"))["items"]!.AsArray().FirstOrDefault()?["treeSize"]?.GetValue<long>() != entries)
                {
                    await Task.Delay(200, cancellationToken);
                    entries = await HeadAsync(source.Factory.ConnectionString);
                }
                keyId = (await admin.GetAsync("/.well-known/dataexchange/audit-key"))["keyId"]!.GetValue<string>();
                sourceDatabase = source.Factory.ConnectionString;

                var backedUp = await ScriptAsync("backup.sh", sourceDatabase, backup, sourceKey);
                Assert.That(backedUp.ExitCode, Is.Zero, backedUp.Output);
            }
            Assert.That(Directory.GetFiles(backup).Select(Path.GetFileName), Is.EquivalentTo(new[] { "dataexchange.dump", "audit-signing-key.pem", "SHA256SUMS" }));

            // A second cluster, as on a new machine; the key goes where the new server reads it.
            await using var cluster = await EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions { Durable = false, BinDirectory = PgBin }, cancellationToken);
            await cluster.CreateDatabaseAsync("restored");
            var restoredKey = Path.Combine(work.FullName, "restored", "audit-signing-key.pem");
            var restoredOut = await ScriptAsync("restore.sh", cluster.ConnectionString("restored"), backup, restoredKey);
            Assert.That(restoredOut.ExitCode, Is.Zero, restoredOut.Output);

            var (server, address) = await ServerProcess.StartApiAsync(cluster.ConnectionString("restored"), cancellationToken,
                new Dictionary<string, string> { ["Audit:SigningKeyPath"] = restoredKey });
            await using (server)
            {
                var admin = new ApiClient(new HttpClient { BaseAddress = address }, adminKey);
                var verification = await admin.PostAsync("/api/v1/audit/verification", null, HttpStatusCode.OK);
                Assert.That(verification["ok"]!.GetValue<bool>(), Is.True, verification.ToJsonString());
                Assert.That(verification["entries"]!.GetValue<long>(), Is.GreaterThanOrEqualTo(entries));
                Assert.That(verification["checkpointsVerified"]!.GetValue<int>(), Is.GreaterThan(0), "the old checkpoints verify under the restored key");
                Assert.That((await admin.GetAsync("/.well-known/dataexchange/audit-key"))["keyId"]!.GetValue<string>(), Is.EqualTo(keyId));

                var consumer = new ApiClient(admin.Http, consumerKey);
                var again = await (await consumer.GetRawAsync("/api/v1/datasets/bak.people/records.ndjson")).Content.ReadAsStringAsync(cancellationToken);
                Assert.That(again, Is.EqualTo(pulled), "the same records, hashed with the same secret");

                var (page, body) = await browser.GetAsync(new Uri(address, "/console"));
                Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the session signed in before the backup");
                Assert.That(body, Does.Contain("Sign out"));

                // Offline, as an auditor would: the restored server's export and public key, checked by dx.
                var export = Path.Combine(work.FullName, "audit.ndjson");
                await File.WriteAllTextAsync(export, await (await admin.GetRawAsync("/api/v1/audit/entries/export?format=ndjson")).Content.ReadAsStringAsync(cancellationToken), cancellationToken);
                var publicKey = Path.Combine(work.FullName, "audit-key.json");
                await File.WriteAllTextAsync(publicKey, (await admin.GetAsync("/.well-known/dataexchange/audit-key")).ToJsonString(), cancellationToken);
                var verified = await new DxProcess(Path.Combine(work.FullName, "dx.json")).RunAsync(["audit", "verify", export, "--public-key", publicKey]);
                Assert.That(verified.ExitCode, Is.Zero, verified.ToString());
            }
        }
        finally
        {
            ServerProcess.TryDelete(work);
        }
    }

    static async Task<long> HeadAsync(string connectionString)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("select seq from dx.audit_head", conn);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    /// <summary>Runs <c>ops/<paramref name="script"/> dir key</c> with <c>DX_DATABASE_URL</c> for <paramref name="connectionString"/>, as the README says.</summary>
    static async Task<(int ExitCode, string Output)> ScriptAsync(string script, string connectionString, string dir, string key)
    {
        var c = new NpgsqlConnectionStringBuilder(connectionString);
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Samples.RepositoryRoot };
        foreach (var a in new[] { Path.Combine("ops", script), dir, key }) start.ArgumentList.Add(a);
        start.Environment["DX_DATABASE_URL"] = $"postgresql://{Uri.EscapeDataString(c.Username!)}:{Uri.EscapeDataString(c.Password!)}@{c.Host}:{c.Port}/{Uri.EscapeDataString(c.Database!)}";
        start.Environment["PG_BIN"] = PgBin;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }
}
