using System.Text.Json.Nodes;
using DataExchange.Core.Audit;
using DataExchange.IntegrationTests.Cli;
using DataExchange.IntegrationTests.Hosting;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Audit;

/// <summary>
/// Issue 18, item 7: an agency auditor's export holds only the entries that auditor may see, so <c>dx audit verify</c>
/// called it broken ("Entry 1 is missing"), as if it had been tampered with. A filtered export is verified entry by
/// entry: its hash recomputed from its content, then the inclusion proof the API serves checked against a checkpoint
/// whose signature the auditor's copy of the public key verifies.
/// </summary>
[TestFixture]
public sealed class FilteredExportVerifyTests
{
    const string DatasetId = "gd-amr.filtered-verify";
    KestrelExchange _exchange = null!;
    DxProcess _dx = null!;
    string _dir = null!, _publicKey = null!, _auditor = null!;
    List<string> _lines = null!;

    [OneTimeSetUp]
    public async Task ExportAsync()
    {
        _dir = Directory.CreateTempSubdirectory("dx-filtered-verify-").FullName;
        _exchange = await KestrelExchange.StartAsync("filtered_verify", new Dictionary<string, string?>
        {
            ["Audit:SigningKeyPath"] = Path.Combine(_dir, "audit-signing-key.pem"),
            ["Audit:CheckpointEvery"] = "1000000",
            ["Audit:CheckpointInterval"] = "1.00:00:00",
            ["Audit:CheckpointPollInterval"] = "1.00:00:00",
        });
        var steward = _exchange.Client(await _exchange.KeyAsync("gd-amr", "steward"));
        var consumer = _exchange.Client(await _exchange.KeyAsync("gz-hrss", "consumer"));
        _auditor = await _exchange.KeyAsync("gd-amr", "auditor");
        await _exchange.KeyAsync("gz-other", "steward");
        await steward.PostAsync("/api/v1/datasets", new
        {
            id = DatasetId, title = "Filtered export", keyFields = new[] { "code" }, classification = "internal",
            schema = JsonNode.Parse("""{"type":"object","required":["code"],"properties":{"code":{"type":"string"}}}"""),
            feed = new { source = "upload", format = "csv" },
        });
        await _exchange.KeyAsync("gz-other", "consumer");
        var requested = await consumer.PostAsync("/api/v1/subscriptions", new { datasetId = DatasetId, purpose = "Filtered export test" });
        await _exchange.KeyAsync("gz-other", "auditor");
        await steward.PostAsync($"/api/v1/subscriptions/{requested["id"]!.GetValue<string>()}/approval", new { policy = new { fields = new[] { "code" } } }, System.Net.HttpStatusCode.OK);
        await _exchange.Factory.Services.GetRequiredService<AuditCheckpoints>().CheckpointAsync();

        _publicKey = Path.Combine(_dir, "audit-key.json");
        await File.WriteAllTextAsync(_publicKey, (await _exchange.Client(null).GetAsync("/.well-known/dataexchange/audit-key")).ToJsonString());
        _dx = new DxProcess(Path.Combine(_dir, "config.json"));
        var export = Path.Combine(_dir, "export.ndjson");
        var exported = await _dx.RunAsync(["audit", "export"], _auditor, export, _exchange.Address);
        Assert.That(exported.ExitCode, Is.Zero, exported.ToString());
        _lines = [.. File.ReadAllLines(export).Where(l => l.Length > 0)];
        var seqs = _lines.Select(l => JsonNode.Parse(l)!["seq"]!.GetValue<long>()).ToList();
        Assert.That(seqs[0], Is.GreaterThan(1), "the agency auditor's export is filtered: it starts after entries of other agencies");
        Assert.That(seqs.Zip(seqs.Skip(1)).Any(p => p.Second != p.First + 1), $"and has gaps: {string.Join(",", seqs)}");
    }

    [OneTimeTearDown]
    public void Stop()
    {
        _exchange.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Test]
    public async Task AnAgencyAuditorsFilteredExport_Verifies_ByInclusionProofs()
    {
        var result = await VerifyAsync(_lines);
        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.Stderr, Does.Contain($"filtered export of {_lines.Count} entries").And.Contain("inclusion proof"), result.ToString());
    }

    [Test]
    public async Task AnEditedEntry_FailsAtItsPosition()
    {
        var lines = _lines.ToList();
        var entry = JsonNode.Parse(lines[1])!;
        entry["outcome"] = "denied";
        lines[1] = entry.ToJsonString();

        var result = await VerifyAsync(lines);
        Assert.That(result.ExitCode, Is.EqualTo(7), result.ToString());
        Assert.That(result.Stderr, Does.Contain($"position {entry["seq"]}").And.Contain("does not match its hash"), result.ToString());
    }

    [Test]
    public async Task AnEntryThatHashesButIsNotInTheLog_FailsItsInclusionProof()
    {
        var lines = _lines.ToList();
        var entry = JsonNode.Parse(lines[^1])!.AsObject();
        entry["details"] = new JsonObject { ["forged"] = true };
        var canonical = AuditEntry.CanonicalBytes(entry["seq"]!.GetValue<long>(), DateTimeOffset.Parse(entry["at"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture),
            (string?)entry["actorAgency"], (string?)entry["actorClient"], entry["action"]!.GetValue<string>(), (string?)entry["target"], (string?)entry["datasetId"],
            entry["outcome"]!.GetValue<string>(), entry["details"]!.AsObject());
        entry["hash"] = Convert.ToHexStringLower(AuditEntry.ComputeHash(Convert.FromHexString(entry["prevHash"]!.GetValue<string>()), canonical));
        lines[^1] = entry.ToJsonString();

        var result = await VerifyAsync(lines);
        Assert.That(result.ExitCode, Is.EqualTo(7), result.ToString());
        Assert.That(result.Stderr, Does.Contain($"position {entry["seq"]}").And.Contain("not in the log"), result.ToString());
    }

    [Test]
    public async Task EntriesNewerThanTheNewestCheckpoint_AreNamed_NotCalledTampered()
    {
        var steward = _exchange.Client(await _exchange.KeyAsync("gd-amr", "steward"));
        await steward.PostAsync("/api/v1/datasets", new
        {
            id = DatasetId + "-2", title = "After the checkpoint", keyFields = new[] { "code" }, classification = "internal",
            schema = JsonNode.Parse("""{"type":"object","required":["code"],"properties":{"code":{"type":"string"}}}"""),
            feed = new { source = "upload", format = "csv" },
        });
        var export = Path.Combine(_dir, "newer.ndjson");
        await _dx.RunAsync(["audit", "export"], _auditor, export, _exchange.Address);

        var result = await VerifyAsync([.. File.ReadAllLines(export)]);
        Assert.That(result.ExitCode, Is.EqualTo(7), result.ToString());
        Assert.That(result.Stderr, Does.Contain("newer than the newest signed checkpoint").And.Not.Contain("does not match"), result.ToString());
    }

    async Task<DxResult> VerifyAsync(IEnumerable<string> lines)
    {
        var file = Path.Combine(_dir, $"verify-{Guid.NewGuid():N}.ndjson");
        await File.WriteAllLinesAsync(file, lines);
        return await _dx.RunAsync(["audit", "verify", file, "--public-key", _publicKey], _auditor, server: _exchange.Address);
    }
}
