using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using DataExchange.IntegrationTests.Hosting;
using DataExchange.Core.Tests.Audit;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Audit;

/// <summary>
/// Issue 6 over HTTP: the main flows leave entries; checkpoints are signed by the published key;
/// inclusion and consistency proofs verify with the independent RFC 9162 verifier; agency auditors
/// only get proofs of what they can see; exports stream.
/// </summary>
[TestFixture]
public sealed class AuditTrailTests
{
    const string DatasetId = "gd-amr.business-licences";
    AuditTrailServer _server = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _server = await AuditTrailServer.StartWithMainFlowsAsync("audit_trail");

    [OneTimeTearDown]
    public void Stop() => _server.Dispose();

    [Test]
    public async Task MainFlows_EachLeaveAnEntry_WithActorTargetAndOutcome()
    {
        var entries = (await _server.Admin.GetAsync("/api/v1/audit/entries?limit=1000"))["items"]!.AsArray().Select(e => e!).ToList();
        bool Has(string action, string outcome, string? agency) => entries.Any(e =>
            e["action"]!.GetValue<string>() == action && e["outcome"]!.GetValue<string>() == outcome && e["actorAgency"]?.GetValue<string>() == agency);

        Assert.Multiple(() =>
        {
            Assert.That(Has("admin-bootstrapped", "succeeded", null), Is.True, "bootstrap");
            Assert.That(Has("agency-created", "succeeded", "exchange"), Is.True, "agency");
            Assert.That(Has("api-key-issued", "succeeded", "exchange"), Is.True, "key issued");
            Assert.That(Has("api-key-revoked", "succeeded", "exchange"), Is.True, "key revoked");
            Assert.That(Has("dataset-registered", "succeeded", "gd-amr"), Is.True, "registration");
            Assert.That(Has("run-queued", "succeeded", "gd-amr"), Is.True, "run queued");
            Assert.That(Has("run-started", "succeeded", "exchange"), Is.True, "run started (system)");
            Assert.That(Has("run-finished", "succeeded", "exchange"), Is.True, "run finished (system)");
            Assert.That(Has("version-published", "succeeded", "exchange"), Is.True, "publication");
            Assert.That(Has("subscription-requested", "succeeded", "gz-hrss"), Is.True, "request");
            Assert.That(Has("subscription-rejected", "succeeded", "gd-amr"), Is.True, "rejection");
            Assert.That(Has("subscription-approved", "succeeded", "gd-amr"), Is.True, "approval");
            Assert.That(Has("subscription-revoked", "succeeded", "gd-amr"), Is.True, "revocation");
            Assert.That(Has("access-denied", "denied", "gz-hrss"), Is.True, "refused pull");
            Assert.That(Has("records-pulled", "allowed", "gz-hrss"), Is.True, "pull");
            Assert.That(entries.Where(e => e["datasetId"] is not null).All(e => e["datasetId"]!.GetValue<string>() == DatasetId), Is.True);
        });
    }

    [Test]
    public async Task Checkpoints_AreSignedByTheKeyPublishedAnonymously()
    {
        await _server.CheckpointAsync();
        var anonymous = new ApiClient(_server.Factory.CreateClient(), null);

        var published = await anonymous.GetAsync("/.well-known/dataexchange/audit-key");
        var checkpoint = (await _server.Admin.GetAsync("/api/v1/audit/checkpoints"))["items"]![0]!;

        using var key = ECDsa.Create();
        key.ImportFromPem(published["publicKeyPem"]!.GetValue<string>());
        Assert.Multiple(() =>
        {
            Assert.That(checkpoint["keyId"]!.GetValue<string>(), Is.EqualTo(published["keyId"]!.GetValue<string>()));
            Assert.That(key.VerifyData(System.Text.Encoding.UTF8.GetBytes(checkpoint["signedText"]!.GetValue<string>()),
                Convert.FromBase64String(checkpoint["signature"]!.GetValue<string>()), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence), Is.True);
            Assert.That(checkpoint["signedText"]!.GetValue<string>(), Does.Contain("\n" + checkpoint["rootHash"]!.GetValue<string>() + "\n"));
        });
    }

    [Test]
    public async Task InclusionProofs_OfEveryEntry_VerifyAgainstTheCheckpointRoot()
    {
        var checkpoint = await _server.CheckpointAsync();
        var root = Convert.FromHexString(checkpoint["rootHash"]!.GetValue<string>());
        var size = checkpoint["treeSize"]!.GetValue<long>();
        Assert.That(size, Is.GreaterThan(20));

        for (var seq = 1L; seq <= size; seq++)
        {
            var proof = await _server.Admin.GetAsync($"/api/v1/audit/entries/{seq}/inclusion?treeSize={size}");
            var leaf = SHA256.HashData([0x00, .. Convert.FromHexString(proof["entryHash"]!.GetValue<string>())]);
            var path = proof["path"]!.AsArray().Select(p => Convert.FromHexString(p!.GetValue<string>())).ToList();
            Assert.That(Rfc9162Verifier.VerifyInclusion(seq - 1, size, leaf, path, root), Is.True, $"entry {seq}");
            Assert.That(proof["checkpoint"]!["signature"]!.GetValue<string>(), Is.EqualTo(checkpoint["signature"]!.GetValue<string>()));
        }
    }

    [Test]
    public async Task ConsistencyProof_BetweenTwoCheckpoints_Verifies()
    {
        var first = await _server.CheckpointAsync();
        await _server.Admin.PostAsync("/api/v1/agencies", new { code = "sz-pb", name = "Shenzhen Police Bureau" });
        await _server.Admin.PostAsync("/api/v1/agencies", new { code = "sz-tb", name = "Shenzhen Tax Bureau" });
        var second = await _server.CheckpointAsync();
        long m = first["treeSize"]!.GetValue<long>(), n = second["treeSize"]!.GetValue<long>();

        var proof = await _server.Admin.GetAsync($"/api/v1/audit/consistency?from={m}&to={n}");

        var path = proof["path"]!.AsArray().Select(p => Convert.FromHexString(p!.GetValue<string>())).ToList();
        Assert.That(Rfc9162Verifier.VerifyConsistency(m, n, Convert.FromHexString(first["rootHash"]!.GetValue<string>()),
            Convert.FromHexString(second["rootHash"]!.GetValue<string>()), path), Is.True);
    }

    [Test]
    public async Task AgencyAuditor_GetsProofsOnlyForEntriesTheyCanSee()
    {
        var checkpoint = await _server.CheckpointAsync();
        var size = checkpoint["treeSize"]!.GetValue<long>();
        var auditor = await _server.KeyAsync("gz-hrss", "auditor");
        var own = (await auditor.GetAsync("/api/v1/audit/entries?limit=1000"))["items"]!.AsArray().Select(e => e!["seq"]!.GetValue<long>()).ToHashSet();
        Assert.That(own, Is.Not.Empty);

        var (mine, _, _) = await auditor.SendAsync(HttpMethod.Get, $"/api/v1/audit/entries/{own.First()}/inclusion?treeSize={size}");
        var (theirs, problem, _) = await auditor.SendAsync(HttpMethod.Get, $"/api/v1/audit/entries/1/inclusion?treeSize={size}");

        Assert.Multiple(() =>
        {
            Assert.That(own, Does.Not.Contain(1L), "entry 1 is the operator's bootstrap");
            Assert.That(mine, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(theirs, Is.EqualTo(HttpStatusCode.NotFound), problem?.ToJsonString());
        });
    }

    [Test]
    public async Task Export_StreamsCsv_OneRowPerEntry_AndNdjsonEndingWithTheCheckpoint()
    {
        await _server.CheckpointAsync();
        var count = (await _server.Admin.GetAsync("/api/v1/audit/entries?limit=1000"))["items"]!.AsArray().Count;

        var csv = await _server.Admin.Http.SendAsync(Get("/api/v1/audit/entries/export?format=csv", _server.AdminKey));
        var rows = (await csv.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var ndjson = (await _server.ExportAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Multiple(() =>
        {
            Assert.That(csv.Content.Headers.ContentType!.MediaType, Is.EqualTo("text/csv"));
            Assert.That(rows[0], Is.EqualTo("seq,at,actorAgency,actorClient,action,target,datasetId,outcome,details,prevHash,hash"));
            Assert.That(rows.Length - 1, Is.GreaterThanOrEqualTo(count));
            Assert.That(ndjson.Length - 1, Is.GreaterThanOrEqualTo(count));
            Assert.That(JsonNode.Parse(ndjson[^1])!["checkpoint"]!["treeSize"]!.GetValue<long>(), Is.GreaterThan(0));
        });
        // Every line, entries and the checkpoint alike, follows the published schemas/audit-export-record.schema.json.
        var violations = ndjson.SelectMany((line, i) => DataExchange.Core.Common.DocumentSchemas
            .Errors(DataExchange.Core.Common.DocumentSchemas.AuditExportRecord, JsonNode.Parse(line)!, $"/line/{i + 1}")).ToList();
        Assert.That(violations, Is.Empty, string.Join("; ", violations.Select(v => $"{v.Pointer} {v.Message}")));
    }

    internal static HttpRequestMessage Get(string path, string key) =>
        new(HttpMethod.Get, path) { Headers = { Authorization = new("Bearer", key) } };
}
