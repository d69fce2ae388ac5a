using DataExchange.Core.Audit;
using DataExchange.IntegrationTests.Cli;
using DataExchange.IntegrationTests.Hosting;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Audit;

/// <summary>
/// Issue 13, item 9: tamper evidence without gaps. An auditor runs <c>dx audit witness</c> after the
/// checkpoints at 10 and 20 entries; then a superuser tampers with the database in one of eight
/// ways. Each is located — by the online check (POST /audit/verification), or by the auditor holding
/// a fresh export against the witness file (<c>dx audit verify --witness</c>). The kinds that also
/// delete checkpoints blind the online check, and the next witness run raises the alarm.
/// </summary>
[TestFixture, Category("Security")]
public sealed class AuditWitnessTamperingTests
{
    /// <summary>
    /// One kind of tampering: the SQL and what follows it (the exchange going on), the position the
    /// online check names (null: it passes, blind), whether the next witness run alarms, the position
    /// the export held against the witness names, and whether the export alone (its own checkpoint) passes.
    /// </summary>
    public sealed record Tampering(string Name, Func<WitnessedLog, Task> Tamper, long? OnlinePosition, bool WitnessAlarms, long WitnessPosition,
        string Problem, bool ExportAlonePasses)
    {
        /// <inheritdoc />
        public override string ToString() => Name;
    }

    // The head moves with a cut, or the chain alone would already show it.
    const string HeadTo = "update dx.audit_head set seq = {0}, hash = (select hash from dx.audit_log where seq = {0})";

    static IEnumerable<Tampering> Kinds() =>
    [
        new("edit", log => log.TamperAsync("update dx.audit_log set target = 'someone-else' where seq = 7"),
            7, false, 7, "does not match its hash", false),
        new("delete", log => log.TamperAsync("delete from dx.audit_log where seq = 7"),
            7, false, 7, "Entry 7 is missing", false),
        new("swap", log => log.TamperAsync("update dx.audit_log set seq = -5 where seq = 5", "update dx.audit_log set seq = 5 where seq = 9",
            "update dx.audit_log set seq = 9 where seq = -5"), 5, false, 5, "link to the previous entry", false),
        new("tail cut", log => log.TamperAsync("delete from dx.audit_log where seq >= 15", string.Format(null, HeadTo, 14)),
            15, false, 15, "entries 15–20 are missing", false),
        new("tail cut and checkpoint deletion", log => log.TamperAsync("delete from dx.audit_log where seq >= 15", string.Format(null, HeadTo, 14),
            "delete from dx.audit_checkpoints where tree_size > 14"), null, true, 15, "entries 15–20 are missing", true),
        new("re-linked rewrite", log => log.RewriteAfterAsync(10),
            11, false, 11, "Entries 11–20 do not match the checkpoint witnessed at tree size 20", false),
        new("re-linked rewrite and checkpoint deletion", async log =>
        {
            await log.RewriteAfterAsync(10, "delete from dx.audit_checkpoints where tree_size > 10");
            await log.GoOnAsync();
        }, null, true, 11, "Entries 11–20 do not match the checkpoint witnessed at tree size 20", true),
        new("all checkpoints deleted", async log =>
        {
            await log.RewriteAfterAsync(3, "delete from dx.audit_checkpoints");
            await log.GoOnAsync();
        }, null, true, 1, "Entries 1–10 do not match the checkpoint witnessed at tree size 10", true),
    ];

    [TestCaseSource(nameof(Kinds))]
    public async Task Tampering_IsLocated_ByTheOnlineCheckOrAgainstTheWitness(Tampering kind)
    {
        await using var log = await WitnessedLog.StartAsync();
        var before = await log.WitnessAsync();
        await kind.Tamper(log);

        var witness = await log.WitnessAsync();
        var online = await log.Exchange.Client(log.Exchange.AdminKey).PostAsync("/api/v1/audit/verification", null, System.Net.HttpStatusCode.OK);
        var export = await log.ExportAsync();
        var alone = await log.Dx(["audit", "verify", export, "--public-key", log.KeyFile]);
        var held = await log.Dx(["audit", "verify", export, "--witness", log.WitnessFile]);

        Assert.Multiple(() =>
        {
            Assert.That(before.ExitCode, Is.Zero, "witnessing 10 then 20 entries of an honest log: " + before);
            if (kind.OnlinePosition is { } position)
            {
                Assert.That(online["ok"]!.GetValue<bool>(), Is.False, online.ToJsonString());
                Assert.That(online["firstBadSeq"]!.GetValue<long>(), Is.EqualTo(position), online.ToJsonString());
            }
            else Assert.That(online["ok"]!.GetValue<bool>(), Is.True, "the checkpoints that would tell are gone: " + online.ToJsonString());
            Assert.That(witness.ExitCode, Is.EqualTo(kind.WitnessAlarms ? 7 : 0), witness.ToString());
            Assert.That(alone.ExitCode, Is.EqualTo(kind.ExportAlonePasses ? 0 : 7), alone.ToString());
            Assert.That(held.ExitCode, Is.EqualTo(7), held.ToString());
            Assert.That(held.Stderr, Does.Contain($"position {kind.WitnessPosition}:").And.Contain(kind.Problem), held.ToString());
        });
    }

    [Test]
    public async Task Witness_KeepsEachNewCheckpoint_AfterItsConsistencyProof_AndAnIntactExportVerifiesAgainstThem()
    {
        await using var log = await WitnessedLog.StartAsync();
        var witnessed = await log.WitnessAsync();
        await AuditDatabase.AppendAsync(log.Writer, 3);

        var export = await log.ExportAsync();
        var held = await log.Dx(["audit", "verify", export, "--witness", log.WitnessFile]);
        var kept = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(log.WitnessFile))!["checkpoints"]!.AsArray();

        Assert.Multiple(() =>
        {
            Assert.That(witnessed.ExitCode, Is.Zero, witnessed.ToString());
            Assert.That(kept.Select(c => c!["treeSize"]!.GetValue<long>()), Is.EqualTo(new long[] { 10, 20 }));
            Assert.That(held.ExitCode, Is.Zero, held.ToString());
            Assert.That(held.Stderr, Does.Contain("checkpoint at tree size 23").And.Contain("2 witnessed checkpoints"), "the export carries a checkpoint of its own head");
        });
    }

    /// <summary>
    /// A server (API role: nothing signs on a clock) whose log has checkpoints at 10 and 20 entries,
    /// an auditor having witnessed the first (pinning the published key); with the dx runs, files and
    /// tampering that the tests need.
    /// </summary>
    public sealed class WitnessedLog : IAsyncDisposable
    {
        readonly string _work;
        readonly DxProcess _dx;

        WitnessedLog(KestrelExchange exchange, string work)
        {
            (Exchange, _work) = (exchange, work);
            _dx = new DxProcess(Path.Combine(work, "config.json"));
        }

        public KestrelExchange Exchange { get; }
        public AuditWriter Writer => Exchange.Factory.Services.GetRequiredService<AuditWriter>();
        public string WitnessFile => Path.Combine(_work, "witness.json");
        public string KeyFile => Path.Combine(_work, "audit-key.json");

        public static async Task<WitnessedLog> StartAsync()
        {
            var work = Directory.CreateTempSubdirectory("dx-witness-").FullName;
            var exchange = await KestrelExchange.StartAsync("audit_witness", new Dictionary<string, string?>
            {
                ["Server:Role"] = "api",
                ["Audit:SigningKeyPath"] = Path.Combine(work, "signing", "audit-signing-key.pem"),
            });
            var log = new WitnessedLog(exchange, work);
            // Entry 1 is the admin's bootstrap.
            await AuditDatabase.AppendAsync(log.Writer, 9);
            await log.SignAsync();
            var key = await exchange.Client(null).GetAsync("/.well-known/dataexchange/audit-key");
            await File.WriteAllTextAsync(log.KeyFile, key.ToJsonString());
            var first = await log.Dx(["audit", "witness", log.WitnessFile, "--public-key", log.KeyFile]);
            Assert.That(first.ExitCode, Is.Zero, first.ToString());
            await AuditDatabase.AppendAsync(log.Writer, 10);
            await log.SignAsync();
            return log;
        }

        /// <summary>dx audit witness on the witness file.</summary>
        public Task<DxResult> WitnessAsync() => Dx(["audit", "witness", WitnessFile]);

        /// <summary>dx audit export to a file; returns its path.</summary>
        public async Task<string> ExportAsync()
        {
            var file = Path.Combine(_work, Guid.NewGuid().ToString("N") + ".ndjson");
            var result = await _dx.RunAsync(["audit", "export"], Exchange.AdminKey, file, Exchange.Address);
            Assert.That(result.ExitCode, Is.Zero, result.ToString());
            return file;
        }

        public Task<DxResult> Dx(string[] args) => _dx.RunAsync(args, Exchange.AdminKey, server: Exchange.Address);

        public Task TamperAsync(params string[] statements) => AuditDatabase.TamperAsync(Exchange.Factory.ConnectionString, statements);

        /// <summary>Cuts the log after <paramref name="keep"/> entries (and runs <paramref name="also"/>), then writes new entries up to 20: a re-linked rewrite.</summary>
        public async Task RewriteAfterAsync(int keep, params string[] also)
        {
            await TamperAsync([$"delete from dx.audit_log where seq > {keep}", string.Format(null, HeadTo, keep), .. also]);
            await AuditDatabase.AppendAsync(Writer, 20 - keep);
        }

        /// <summary>The exchange goes on: five more entries, and the signer's next checkpoint.</summary>
        public async Task GoOnAsync()
        {
            await AuditDatabase.AppendAsync(Writer, 5);
            Assert.That(await Exchange.Factory.Services.GetRequiredService<AuditCheckpoints>().CheckpointAsync(), Is.Not.Null, "the signer signs the forged log: nothing it still holds contradicts it");
        }

        Task SignAsync() => Exchange.Factory.Services.GetRequiredService<AuditCheckpoints>().CheckpointAsync();

        public ValueTask DisposeAsync()
        {
            Exchange.Dispose();
            Directory.Delete(_work, recursive: true);
            return ValueTask.CompletedTask;
        }
    }
}
