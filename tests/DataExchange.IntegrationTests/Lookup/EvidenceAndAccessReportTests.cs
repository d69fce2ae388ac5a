using System.Buffers.Text;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using DataExchange.IntegrationTests.Cli;
using DataExchange.IntegrationTests.Hosting;
using DataExchange.IntegrationTests.Pull;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Lookup;

/// <summary>
/// Issue 16: signed evidence (found and absent), checked online against the published key and offline by
/// <c>dx evidence verify</c> (a changed or foreign one fails); the subject access report over the API and
/// <c>dx audit subject</c>, for the owner's stewards and auditors only.
/// </summary>
[TestFixture]
public sealed class EvidenceAndAccessReportTests
{
    const string DatasetId = PullTestBed.DatasetId;
    PullTestBed _bed = null!;
    DxProcess _dx = null!;
    string _work = null!;
    int _consumers;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _bed = await PullTestBed.StartAsync("evidence", new Dictionary<string, string?> { ["Pull:HashKey"] = Convert.ToBase64String(Lookups.ServerSecret) }, kestrel: true);
        await _bed.PublishAsync(
            new { id = "p1", name = "Ann", phone = "13800001111", city = "Guangzhou" },
            new { id = "p2", name = "Bo", phone = "13800002222", city = "Shenzhen" });
        _work = Directory.CreateTempSubdirectory("dx-evidence-").FullName;
        _dx = new DxProcess(Path.Combine(_work, "config.json"));
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _bed.DisposeAsync();
        Directory.Delete(_work, recursive: true);
    }

    async Task<(ApiClient Consumer, string Agency)> ConsumerWithAsync(object policy)
    {
        var agency = $"evc{++_consumers}";
        var consumer = await _bed.NewConsumerAsync(agency);
        await _bed.SubscribeAsync(consumer, policy);
        return (consumer, agency);
    }

    static string KeyOf(ApiClient client) => client.Http.DefaultRequestHeaders.Authorization!.Parameter!;

    static (JsonObject Header, JsonObject Payload) Decode(string jws)
    {
        var parts = jws.Split('.');
        return (JsonNode.Parse(Base64Url.DecodeFromChars(parts[0]))!.AsObject(), JsonNode.Parse(Base64Url.DecodeFromChars(parts[1]))!.AsObject());
    }

    /// <summary>Checks a compact JWS as any JOSE verifier would: the JWK from the well-known address, ES256 over header.payload.</summary>
    async Task<bool> VerifiesAsync(string jws)
    {
        var published = await new ApiClient(_bed.Admin.Http, null).GetAsync("/.well-known/dataexchange/evidence-key");
        var jwk = published["jwk"]!;
        using var key = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = Base64Url.DecodeFromChars(jwk["x"]!.GetValue<string>()), Y = Base64Url.DecodeFromChars(jwk["y"]!.GetValue<string>()) },
        });
        var parts = jws.Split('.');
        return Decode(jws).Header["kid"]!.GetValue<string>() == jwk["kid"]!.GetValue<string>()
            && key.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), Base64Url.DecodeFromChars(parts[2]), HashAlgorithmName.SHA256);
    }

    [Test]
    public async Task EvidenceOfAFoundRecord_VerifiesWithThePublishedKey_StatesTheShapedAnswer_AndItsHashIsAudited()
    {
        var (consumer, agency) = await ConsumerWithAsync(new { masks = new { phone = "partial" } });
        var (status, jws, response) = await consumer.GetAsync(DatasetId, "p1", accept: "application/jose", caseRef: "SI-7");
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), jws);
        var (header, payload) = Decode(jws);
        var entry = (await _bed.Admin.EntriesAsync(DatasetId, "record-looked-up")).Last(e => e["actorAgency"]!.GetValue<string>() == agency);
        Assert.Multiple(async () =>
        {
            Assert.That(response.Content.Headers.ContentType!.MediaType, Is.EqualTo("application/jose"));
            Assert.That(await VerifiesAsync(jws), Is.True, "ES256 under the published key");
            Assert.That((header["alg"]!.GetValue<string>(), header["typ"]!.GetValue<string>()), Is.EqualTo(("ES256", "dx-evidence+jws")));
            Assert.That((payload["datasetId"]!.GetValue<string>(), payload["version"]!.GetValue<int>(), payload["key"]!.GetValue<string>(), payload["found"]!.GetValue<bool>()),
                Is.EqualTo((DatasetId, 1, "p1", true)));
            Assert.That(payload["record"]!["phone"]!.GetValue<string>(), Is.EqualTo("*******1111"), "the record as the policy shapes it");
            Assert.That((payload["purpose"]!.GetValue<string>(), payload["caseRef"]!.GetValue<string>()), Is.EqualTo(("testing", "SI-7")));
            Assert.That(payload["requester"]!["agency"]!.GetValue<string>(), Is.EqualTo(agency));
            Assert.That(payload["issuedAt"]!.GetValue<string>(), Does.EndWith("Z"));
            Assert.That(entry["details"]!["evidence"]![0]!.GetValue<string>(), Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(jws)))));
        });
    }

    [Test]
    public async Task EvidenceOfAbsence_IsSignedToo()
    {
        var (consumer, _) = await ConsumerWithAsync(new { });
        var (status, jws, response) = await consumer.GetAsync(DatasetId, "nobody", query: "?evidence=true");
        var (_, payload) = Decode(jws);
        Assert.Multiple(async () =>
        {
            Assert.That(status, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(response.Content.Headers.ContentType!.MediaType, Is.EqualTo("application/jose"));
            Assert.That(await VerifiesAsync(jws), Is.True);
            Assert.That((payload["key"]!.GetValue<string>(), payload["found"]!.GetValue<bool>(), payload.ContainsKey("record")), Is.EqualTo(("nobody", false, false)));
        });
    }

    [Test]
    public async Task Batch_WithEvidence_SignsEveryAnswer_InOrder()
    {
        var (consumer, _) = await ConsumerWithAsync(new { });
        var (status, body) = await consumer.BatchAsync(DatasetId, new { purpose = "testing", keys = new[] { "p2", "nobody", "p1" }, evidence = true });
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body?.ToJsonString());
        var evidence = body!["items"]!.AsArray().Select(i => i!["evidence"]!.GetValue<string>()).ToList();
        foreach (var jws in evidence) Assert.That(await VerifiesAsync(jws), Is.True);
        Assert.That(evidence.Select(e => (Decode(e).Payload["key"]!.GetValue<string>(), Decode(e).Payload["found"]!.GetValue<bool>())),
            Is.EqualTo(new[] { ("p2", true), ("nobody", false), ("p1", true) }));
    }

    [Test]
    public async Task DxEvidenceVerify_ChecksOfflineAndOnline_AndRefusesChangedOrForeignEvidence()
    {
        var (consumer, _) = await ConsumerWithAsync(new { });
        var key = KeyOf(consumer);
        var file = Path.Combine(_work, "p1.jws");
        var keyFile = Path.Combine(_work, "evidence-key.json");
        await File.WriteAllTextAsync(keyFile, (await new ApiClient(_bed.Admin.Http, null).GetAsync("/.well-known/dataexchange/evidence-key")).ToJsonString());

        var lookup = await _dx.RunAsync(["lookup", DatasetId, "p1", "--purpose", "testing", "--evidence", file], key, server: _bed.Address);
        var offline = await _dx.RunAsync(["evidence", "verify", file, "--public-key", keyFile]);
        var online = await _dx.RunAsync(["evidence", "verify", file], key, server: _bed.Address);

        // The same signature over a payload that says something else.
        var parts = (await File.ReadAllTextAsync(file)).Trim().Split('.');
        var changed = JsonNode.Parse(Base64Url.DecodeFromChars(parts[1]))!;
        changed["record"]!["name"] = "Mallory";
        var tampered = Path.Combine(_work, "tampered.jws");
        await File.WriteAllTextAsync(tampered, $"{parts[0]}.{Base64Url.EncodeToString(Encoding.UTF8.GetBytes(changed.ToJsonString()))}.{parts[2]}");
        var refusedTampered = await _dx.RunAsync(["evidence", "verify", tampered, "--public-key", keyFile]);

        // Well-formed evidence signed by some other key.
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var input = $"{parts[0]}.{parts[1]}";
        var foreign = Path.Combine(_work, "foreign.jws");
        await File.WriteAllTextAsync(foreign, $"{input}.{Base64Url.EncodeToString(other.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256))}");
        var refusedForeign = await _dx.RunAsync(["evidence", "verify", foreign, "--public-key", keyFile]);

        Assert.Multiple(() =>
        {
            Assert.That(lookup.ExitCode, Is.Zero, lookup.ToString());
            Assert.That(offline.ExitCode, Is.Zero, offline.ToString());
            Assert.That(offline.Stdout, Does.Contain("p1").And.Contain("Ann").And.Contain("testing"), "it prints what the evidence states");
            Assert.That(online.ExitCode, Is.Zero, online.ToString());
            Assert.That(refusedTampered.ExitCode, Is.EqualTo(7), refusedTampered.ToString());
            Assert.That(refusedTampered.Stderr, Does.Contain("does not verify"));
            Assert.That(refusedForeign.ExitCode, Is.EqualTo(7), refusedForeign.ToString());
        });
    }

    [Test]
    public async Task AccessReport_ListsEveryLookupOfTheSubject_ForTheOwnerAndAuditorsOnly_AndIsAudited()
    {
        var (first, firstAgency) = await ConsumerWithAsync(new { purposes = new[] { "benefit-check" } });
        var (second, secondAgency) = await ConsumerWithAsync(new { });
        Assert.That((await first.GetAsync(DatasetId, "p2", purpose: "benefit-check", caseRef: "case-1")).Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await first.BatchAsync(DatasetId, new { purpose = "benefit-check", keys = new[] { "p1", "p2" } })).Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await first.GetAsync(DatasetId, "p2", purpose: "marketing")).Status, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That((await second.GetAsync(DatasetId, "p2")).Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await second.GetAsync(DatasetId, "p1")).Status, Is.EqualTo(HttpStatusCode.OK));

        const string report = $"/api/v1/datasets/{DatasetId}/subjects/access-report?key=p2";
        var owner = await _bed.Steward.GetAsync(report);
        var firstAuditor = await (await _bed.KeyAsync(firstAgency, "auditor")).GetAsync(report);
        var (consumerStatus, _, _) = await first.SendAsync(HttpMethod.Get, report);
        var ours = owner["items"]!.AsArray().Where(i => i!["agency"]!.GetValue<string>() is var a && (a == firstAgency || a == secondAgency)).ToList();
        var readEntry = (await _bed.Admin.EntriesAsync(DatasetId, "subject-report-read")).Last();
        var dx = await _dx.RunAsync(["audit", "subject", DatasetId, "p2"], KeyOf(_bed.Steward), server: _bed.Address);
        Assert.Multiple(() =>
        {
            Assert.That(owner["subject"]!.GetValue<string>(), Is.EqualTo(Lookups.SubjectHash(DatasetId, "p2")));
            Assert.That(ours.Select(i => $"{i!["action"]}|{i["purpose"]}|{i["caseRef"]}|{i["found"]}|{i["reason"]}"), Is.EqualTo(new[]
            {
                "record-looked-up|benefit-check|case-1|true|", "record-looked-up|benefit-check||true|", "lookup-refused|marketing|||purpose-not-approved", "record-looked-up|testing||true|",
            }), "every lookup of p2, and only those: the second consumer's lookup of p1 is not in it");
            Assert.That(firstAuditor["items"]!.AsArray().Select(i => i!["agency"]!.GetValue<string>()).Distinct(), Is.EqualTo(new[] { firstAgency }),
                "another agency's auditor sees its own agency's lookups");
            Assert.That(consumerStatus, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(readEntry["details"]!["subject"]!.GetValue<string>(), Is.EqualTo(Lookups.SubjectHash(DatasetId, "p2")));
            Assert.That(dx.ExitCode, Is.Zero, dx.ToString());
            Assert.That(dx.Stdout, Does.Contain("benefit-check").And.Contain("purpose-not-approved"));
        });
    }
}
