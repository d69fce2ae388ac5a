using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using DataExchange.Core.Lookup;
using DataExchange.IntegrationTests.Hosting;
using DataExchange.IntegrationTests.Pull;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Lookup;

/// <summary>
/// Issue 16: lookups by key, served under the subscription and its policy exactly like pulls, each naming
/// an approved purpose, each audited with its subject as a keyed hash.
/// </summary>
[TestFixture]
public sealed class LookupTests
{
    const string DatasetId = PullTestBed.DatasetId;
    const string OddId = "a/b,c é";
    PullTestBed _bed = null!;
    int _consumers;

    static readonly object[] People =
    [
        new { id = "p1", name = "Ann", phone = "13800001111", city = "Guangzhou", age = 34 },
        new { id = "p2", name = "Bo", phone = "13800002222", city = "Shenzhen", age = 17 },
        new { id = "p3", name = "Cai", phone = "13800003333", city = "Guangzhou", age = 65 },
        new { id = OddId, name = "Odd", city = "Foshan", age = 40 },
    ];

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        // On a real socket: the server then sees a key's percent-encoding as sent (the test host decodes it).
        _bed = await PullTestBed.StartAsync("lookup", new Dictionary<string, string?> { ["Pull:HashKey"] = Convert.ToBase64String(Lookups.ServerSecret) }, kestrel: true);
        await _bed.PublishAsync(People);
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _bed.DisposeAsync();

    async Task<(ApiClient Consumer, string SubscriptionId)> ConsumerWithAsync(object policy, DateTimeOffset? expiresAt = null)
    {
        var consumer = await _bed.NewConsumerAsync($"lkc{++_consumers}");
        return (consumer, await _bed.SubscribeAsync(consumer, policy, expiresAt));
    }

    static string Hmac(string value) => Convert.ToHexStringLower(HMACSHA256.HashData(Lookups.ServerSecret, Encoding.UTF8.GetBytes(value)));

    [Test]
    public async Task Found_AnswersTheRecordShapedByThePolicy()
    {
        var (consumer, _) = await ConsumerWithAsync(new { fields = new[] { "id", "name", "city" } });
        var (status, body, response) = await consumer.GetAsync(DatasetId, "p1");
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body);
        var answer = JsonNode.Parse(body)!;
        Assert.Multiple(() =>
        {
            Assert.That(answer["found"]!.GetValue<bool>(), Is.True);
            Assert.That(answer["version"]!.GetValue<int>(), Is.EqualTo(1));
            Assert.That(answer["key"]!.GetValue<string>(), Is.EqualTo("p1"));
            Assert.That(answer["record"]!.AsObject().Select(p => $"{p.Key}={p.Value}"), Is.EquivalentTo(new[] { "id=p1", "name=Ann", "city=Guangzhou" }));
            Assert.That(response.Headers.CacheControl?.NoStore, Is.True, "personal data is not cached on the way");
        });
    }

    [Test]
    public async Task NotFound_Answers404RecordNotFound()
    {
        var (consumer, _) = await ConsumerWithAsync(new { });
        var (status, body, _) = await consumer.GetAsync(DatasetId, "nobody");
        Assert.That(status, Is.EqualTo(HttpStatusCode.NotFound), body);
        Assert.That(JsonNode.Parse(body)!["type"]!.GetValue<string>(), Is.EqualTo("urn:dataexchange:problem:record-not-found"));
    }

    [Test]
    public async Task AKeyWithSlashCommaAndNonAscii_IsOneSegment_PercentEncoded()
    {
        var (consumer, _) = await ConsumerWithAsync(new { });
        var (status, body, _) = await consumer.GetAsync(DatasetId, Uri.EscapeDataString(OddId));
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body);
        Assert.That(JsonNode.Parse(body)!["record"]!["name"]!.GetValue<string>(), Is.EqualTo("Odd"));
    }

    [Test]
    public async Task CompositeKey_IsItsPartsPercentEncodedAndJoinedByCommas_OrAnArrayInABatch()
    {
        const string places = "own.places";
        var schema = JsonNode.Parse("""
            {"$schema":"http://json-schema.org/draft-07/schema#","type":"object","required":["city","code"],
             "properties":{"city":{"type":"string"},"code":{"type":"string"},"note":{"type":"string"}}}
            """);
        await _bed.Steward.PostAsync("/api/v1/datasets", new
        {
            id = places, title = "Places", description = "Composite keys", keyFields = new[] { "city", "code" }, classification = "internal", tags = new[] { "test" },
            schema, feed = new { source = "upload", format = "ndjson", mode = "snapshot" },
        });
        await _bed.PublishToAsync(places, new { city = "Guang,zhou", code = "7", note = "comma in the city" }, new { city = "Guang", code = "zhou,7", note = "comma in the code" });
        var consumer = await _bed.NewConsumerAsync($"lkc{++_consumers}");
        await _bed.SubscribeAsync(consumer, new { }, datasetId: places);

        var first = await consumer.GetAsync(places, "Guang%2Czhou,7");
        var second = await consumer.GetAsync(places, "Guang,zhou%2C7");
        var wrongParts = await consumer.GetAsync(places, "Guang,zhou,7");
        var (batchStatus, batch) = await consumer.BatchAsync(places, new { purpose = "testing", keys = new object[] { new[] { "Guang", "zhou,7" }, new[] { "Guang,zhou", "7" } } });
        Assert.Multiple(() =>
        {
            Assert.That(JsonNode.Parse(first.Body)!["record"]!["note"]!.GetValue<string>(), Is.EqualTo("comma in the city"), first.Body);
            Assert.That(JsonNode.Parse(second.Body)!["record"]!["note"]!.GetValue<string>(), Is.EqualTo("comma in the code"), second.Body);
            Assert.That(wrongParts.Status, Is.EqualTo(HttpStatusCode.BadRequest), wrongParts.Body);
            Assert.That(batchStatus, Is.EqualTo(HttpStatusCode.OK), batch?.ToJsonString());
            Assert.That(batch!["items"]!.AsArray().Select(i => i!["record"]!["note"]!.GetValue<string>()), Is.EqualTo(new[] { "comma in the code", "comma in the city" }));
        });
    }

    [Test]
    public async Task MaskedKey_IsLookedUpByTheRawKey_AndAnsweredHashed()
    {
        var (consumer, _) = await ConsumerWithAsync(new { masks = new { id = "hash" } });
        var (status, body, _) = await consumer.GetAsync(DatasetId, "p2");
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body);
        var answer = JsonNode.Parse(body)!;
        Assert.Multiple(() =>
        {
            Assert.That(answer["record"]!["id"]!.GetValue<string>(), Is.EqualTo(Hmac("p2")));
            Assert.That(answer["key"]!.GetValue<string>(), Is.EqualTo(Hmac("p2")));
            Assert.That(body, Does.Not.Contain("\"p2\""), "the raw key does not come back");
        });
    }

    [Test]
    public async Task RowFilteredRecord_AnswersExactlyLikeAnAbsentOne_AlsoInTheAudit()
    {
        var (consumer, _) = await ConsumerWithAsync(new { filters = new[] { new { field = "city", equals = "Guangzhou" } } });
        var hidden = await consumer.GetAsync(DatasetId, "p2");
        var absent = await consumer.GetAsync(DatasetId, "p9");
        var visible = await consumer.GetAsync(DatasetId, "p3");
        static string Comparable(string problem) { var p = JsonNode.Parse(problem)!.AsObject(); p.Remove("traceId"); return p.ToJsonString(); }
        var entries = (await _bed.Admin.EntriesAsync(DatasetId, "record-looked-up")).Where(e => e["actorAgency"]!.GetValue<string>() == $"lkc{_consumers}").ToList();
        Assert.Multiple(() =>
        {
            Assert.That(visible.Status, Is.EqualTo(HttpStatusCode.OK));
            Assert.That((hidden.Status, Comparable(hidden.Body)), Is.EqualTo((absent.Status, Comparable(absent.Body))));
            Assert.That(entries, Has.Count.EqualTo(3));
            Assert.That(entries[0]["details"]!.AsObject().Where(p => p.Key != "subjects").Select(p => $"{p.Key}={p.Value?.ToJsonString()}"),
                Is.EqualTo(entries[1]["details"]!.AsObject().Where(p => p.Key != "subjects").Select(p => $"{p.Key}={p.Value?.ToJsonString()}")));
        });
    }

    [Test]
    public async Task ExpiredSubscription_IsRefused_AndAuditedWithTheSubject()
    {
        var (consumer, sub) = await ConsumerWithAsync(new { }, _bed.Clock.GetUtcNow().AddMinutes(10));
        Assert.That((await consumer.GetAsync(DatasetId, "p1")).Status, Is.EqualTo(HttpStatusCode.OK));
        _bed.Clock.Advance(TimeSpan.FromMinutes(11));
        var (status, body, _) = await consumer.GetAsync(DatasetId, "p1");
        var refusal = (await _bed.Admin.EntriesAsync(DatasetId, "lookup-refused")).Last();
        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(JsonNode.Parse(body)!["type"]!.GetValue<string>(), Is.EqualTo("urn:dataexchange:problem:policy-expired"));
            Assert.That(refusal["details"]!["reason"]!.GetValue<string>(), Is.EqualTo("policy-expired"));
            Assert.That(refusal["details"]!["subscription"]!.GetValue<string>(), Is.EqualTo(sub));
            Assert.That(refusal["details"]!["subjects"]![0]!.GetValue<string>(), Is.EqualTo(Lookups.SubjectHash(DatasetId, "p1")));
        });
    }

    [Test]
    public async Task RevokedSubscription_IsRefusedAtOnce()
    {
        var (consumer, sub) = await ConsumerWithAsync(new { });
        Assert.That((await consumer.GetAsync(DatasetId, "p1")).Status, Is.EqualTo(HttpStatusCode.OK));
        var (revoked, _, _) = await consumer.SendAsync(HttpMethod.Delete, $"/api/v1/subscriptions/{sub}");
        Assert.That(revoked, Is.EqualTo(HttpStatusCode.OK));
        var (status, body, _) = await consumer.GetAsync(DatasetId, "p1");
        Assert.That(status, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(JsonNode.Parse(body)!["type"]!.GetValue<string>(), Is.EqualTo("urn:dataexchange:problem:subscription-revoked"));
    }

    [Test]
    public async Task Purpose_MustBeOneTheSubscriptionWasApprovedFor()
    {
        var (listed, _) = await ConsumerWithAsync(new { purposes = new[] { "benefit-check", "社保登记" } });
        var (unlisted, _) = await ConsumerWithAsync(new { });
        var approved = await listed.GetAsync(DatasetId, "p1", purpose: "benefit-check", caseRef: "case 42/2026");
        var approvedChinese = await listed.GetAsync(DatasetId, "p1", purpose: "社保登记");
        var other = await listed.GetAsync(DatasetId, "p1", purpose: "marketing");
        var missing = await listed.GetAsync(DatasetId, "p1", purpose: null);
        var requested = await unlisted.GetAsync(DatasetId, "p1", purpose: "testing");
        var notRequested = await unlisted.GetAsync(DatasetId, "p1", purpose: "benefit-check");
        var refusals = (await _bed.Admin.EntriesAsync(DatasetId, "lookup-refused")).Where(e => e["actorAgency"]!.GetValue<string>() == $"lkc{_consumers - 1}").ToList();
        var lookedUp = (await _bed.Admin.EntriesAsync(DatasetId, "record-looked-up")).First(e => e["actorAgency"]!.GetValue<string>() == $"lkc{_consumers - 1}");
        Assert.Multiple(() =>
        {
            Assert.That(approved.Status, Is.EqualTo(HttpStatusCode.OK), approved.Body);
            Assert.That(approvedChinese.Status, Is.EqualTo(HttpStatusCode.OK), approvedChinese.Body);
            Assert.That((other.Status, JsonNode.Parse(other.Body)!["type"]!.GetValue<string>()), Is.EqualTo((HttpStatusCode.Forbidden, "urn:dataexchange:problem:purpose-not-approved")));
            Assert.That((missing.Status, JsonNode.Parse(missing.Body)!["type"]!.GetValue<string>()), Is.EqualTo((HttpStatusCode.BadRequest, "urn:dataexchange:problem:purpose-required")));
            Assert.That(requested.Status, Is.EqualTo(HttpStatusCode.OK), "without purposes the subscription's own purpose is approved");
            Assert.That(notRequested.Status, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(refusals.Select(r => r["details"]!["reason"]!.GetValue<string>()), Is.EqualTo(new[] { "purpose-not-approved", "purpose-required" }));
            Assert.That(refusals[0]["details"]!["purpose"]!.GetValue<string>(), Is.EqualTo("marketing"));
            Assert.That((lookedUp["details"]!["purpose"]!.GetValue<string>(), lookedUp["details"]!["caseRef"]!.GetValue<string>()), Is.EqualTo(("benefit-check", "case 42/2026")));
        });
    }

    [Test]
    public async Task Quota_CountsOneRowPerKeyAsked_AndRefusesWhatDoesNotFit()
    {
        var (consumer, _) = await ConsumerWithAsync(new { dailyRowQuota = 3 });
        var one = await consumer.GetAsync(DatasetId, "p1");
        var (twoStatus, _) = await consumer.BatchAsync(DatasetId, new { purpose = "testing", keys = new[] { "p2", "nobody" } });
        var fourth = await consumer.GetAsync(DatasetId, "p3");
        var refusal = (await _bed.Admin.EntriesAsync(DatasetId, "lookup-refused")).Last();
        Assert.Multiple(() =>
        {
            Assert.That((one.Status, twoStatus), Is.EqualTo((HttpStatusCode.OK, HttpStatusCode.OK)));
            Assert.That(fourth.Status, Is.EqualTo(HttpStatusCode.TooManyRequests), fourth.Body);
            Assert.That(JsonNode.Parse(fourth.Body)!["type"]!.GetValue<string>(), Is.EqualTo("urn:dataexchange:problem:quota-exceeded"));
            Assert.That(fourth.Response.Headers.RetryAfter, Is.Not.Null);
            Assert.That((refusal["details"]!["reason"]!.GetValue<string>(), refusal["details"]!["used"]!.GetValue<long>()), Is.EqualTo(("quota-exceeded", 3L)));
        });
    }

    [Test]
    public async Task Batch_AnswersInTheOrderAsked_EachFoundOrNot()
    {
        var (consumer, _) = await ConsumerWithAsync(new { fields = new[] { "id", "name" } });
        var (status, body) = await consumer.BatchAsync(DatasetId, new { purpose = "testing", keys = new[] { "p3", "nobody", "p1", "p3" } });
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body?.ToJsonString());
        var items = body!["items"]!.AsArray();
        Assert.Multiple(() =>
        {
            Assert.That(items.Select(i => i!["found"]!.GetValue<bool>()), Is.EqualTo(new[] { true, false, true, true }));
            Assert.That(items.Select(i => i!["record"]?["name"]?.GetValue<string>()), Is.EqualTo(new[] { "Cai", null, "Ann", "Cai" }));
            Assert.That(items[1]!.AsObject().Select(p => p.Key), Is.EqualTo(new[] { "found" }), "a key not found shows nothing but that");
        });
    }

    [Test]
    public async Task Batch_OfMoreThanAThousandKeys_IsRefused()
    {
        var (consumer, _) = await ConsumerWithAsync(new { });
        var (status, body) = await consumer.BatchAsync(DatasetId, new { purpose = "testing", keys = Enumerable.Range(0, 1001).Select(i => $"k{i}").ToArray() });
        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest), body?.ToJsonString());
    }

    [Test]
    public async Task PinnedVersion_ReadsThatVersion()
    {
        const string pinned = "own.pinned";
        await _bed.RegisterAsync(pinned);
        await _bed.PublishToAsync(pinned, new { id = "p1", name = "Ann" }, new { id = "p2", name = "Bo" });
        await _bed.PublishToAsync(pinned, new { id = "p1", name = "Anne" });
        var consumer = await _bed.NewConsumerAsync($"lkc{++_consumers}");
        await _bed.SubscribeAsync(consumer, new { }, datasetId: pinned);
        var latest = await consumer.GetAsync(pinned, "p1");
        var first = await consumer.GetAsync(pinned, "p1", query: "?version=1");
        var deleted = await consumer.GetAsync(pinned, "p2");
        var beforeDelete = await consumer.GetAsync(pinned, "p2", query: "?version=1");
        var noSuchVersion = await consumer.GetAsync(pinned, "p1", query: "?version=9");
        Assert.Multiple(() =>
        {
            Assert.That(JsonNode.Parse(latest.Body)!["record"]!["name"]!.GetValue<string>(), Is.EqualTo("Anne"));
            Assert.That(JsonNode.Parse(latest.Body)!["version"]!.GetValue<int>(), Is.EqualTo(2));
            Assert.That(JsonNode.Parse(first.Body)!["record"]!["name"]!.GetValue<string>(), Is.EqualTo("Ann"));
            Assert.That(deleted.Status, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(beforeDelete.Status, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(noSuchVersion.Status, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(JsonNode.Parse(noSuchVersion.Body)!["type"]!.GetValue<string>(), Is.EqualTo("urn:dataexchange:problem:not-found"));
        });
    }

    [Test]
    public async Task LookupOnly_RefusesBulkPulls_AndPullOnly_RefusesLookups()
    {
        var (lookupOnly, _) = await ConsumerWithAsync(new { access = new[] { "lookup" } });
        var (pullOnly, _) = await ConsumerWithAsync(new { access = new[] { "pull" } });
        var (pullStatus, pullBody, _) = await lookupOnly.SendAsync(HttpMethod.Get, $"/api/v1/datasets/{DatasetId}/records");
        var stream = await lookupOnly.GetRawAsync($"/api/v1/datasets/{DatasetId}/records.ndjson");
        var (changesStatus, _, _) = await lookupOnly.SendAsync(HttpMethod.Get, $"/api/v1/datasets/{DatasetId}/changes");
        var lookup = await lookupOnly.GetAsync(DatasetId, "p1");
        var refusedLookup = await pullOnly.GetAsync(DatasetId, "p1");
        Assert.Multiple(() =>
        {
            Assert.That((pullStatus, pullBody!["type"]!.GetValue<string>()), Is.EqualTo((HttpStatusCode.Forbidden, "urn:dataexchange:problem:pull-not-approved")));
            Assert.That(stream.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(changesStatus, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(lookup.Status, Is.EqualTo(HttpStatusCode.OK));
            Assert.That((refusedLookup.Status, JsonNode.Parse(refusedLookup.Body)!["type"]!.GetValue<string>()), Is.EqualTo((HttpStatusCode.Forbidden, "urn:dataexchange:problem:lookup-not-approved")));
        });
    }

    [Test]
    public async Task EveryDecision_IsAuditedWithTheHashedSubject_AndTheKeyIsNowhereInTheLog()
    {
        const string secretId = "p3";
        var (consumer, _) = await ConsumerWithAsync(new { purposes = new[] { "audit-test" } });
        var before = await MaxSeqAsync();
        var found = await consumer.GetAsync(DatasetId, secretId, purpose: "audit-test");
        var notFound = await consumer.GetAsync(DatasetId, "zz-absent-9", purpose: "audit-test");
        var refused = await consumer.GetAsync(DatasetId, secretId, purpose: "marketing");
        var (unauthenticated, _, _) = await new ApiClient(consumer.Http, "dx_garbage_key").SendAsync(HttpMethod.Get, $"/api/v1/datasets/{DatasetId}/records/zz-absent-9");
        var unknownDataset = await consumer.GetAsync("own.nothing", "zz-absent-9");

        var entries = new List<(string Action, string Details, string Target)>();
        await using (var conn = new NpgsqlConnection(_bed.ConnectionString))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand("select action, details::text, coalesce(target, '') from dx.audit_log where seq > $1 order by seq", conn) { Parameters = { new() { Value = before } } };
            await using var r = await cmd.ExecuteReaderAsync();
            while (await r.ReadAsync()) entries.Add((r.GetString(0), r.GetString(1), r.GetString(2)));
        }
        var lookups = entries.Where(e => e.Action is "record-looked-up" or "lookup-refused").ToList();
        Assert.Multiple(() =>
        {
            Assert.That((found.Status, notFound.Status, refused.Status, unauthenticated, unknownDataset.Status),
                Is.EqualTo((HttpStatusCode.OK, HttpStatusCode.NotFound, HttpStatusCode.Forbidden, HttpStatusCode.Unauthorized, HttpStatusCode.NotFound)));
            Assert.That(lookups.Select(e => e.Action), Is.EqualTo(new[] { "record-looked-up", "record-looked-up", "lookup-refused" }));
            Assert.That(lookups.Select(e => JsonNode.Parse(e.Details)!["subjects"]![0]!.GetValue<string>()),
                Is.EqualTo(new[] { Lookups.SubjectHash(DatasetId, secretId), Lookups.SubjectHash(DatasetId, "zz-absent-9"), Lookups.SubjectHash(DatasetId, secretId) }));
            Assert.That(lookups.Select(e => JsonNode.Parse(e.Details)!["found"]?[0]?.GetValue<bool>()), Is.EqualTo(new bool?[] { true, false, null }));
            Assert.That(entries.Where(e => e.Details.Contains("zz-absent-9", StringComparison.Ordinal) || e.Target.Contains("zz-absent-9", StringComparison.Ordinal)), Is.Empty,
                "no entry — lookups, refusals of bad API keys or unknown datasets — holds the key in clear");
            Assert.That(entries.Count(e => e.Action == "request-refused"), Is.EqualTo(2), "the 401 and the unknown dataset are on the record too");
        });
    }

    [Test]
    public async Task ConcurrentSingleLookups_ReadTogether_AreEachAnsweredUnderTheirOwnPolicy_AndAuditedWithTheirOwnSubject()
    {
        // Two consumers whose policies differ (one hides Shenzhen): their lookups never share a read (ReadCoalescer's shape is the policy).
        var (filtered, _) = await ConsumerWithAsync(new { fields = new[] { "id", "name" }, filters = new[] { new { field = "city", equals = "Guangzhou" } } });
        var (open, _) = await ConsumerWithAsync(new { fields = new[] { "id", "name" } });
        var (filteredAgency, openAgency) = ($"lkc{_consumers - 1}", $"lkc{_consumers}");
        var names = new Dictionary<string, string> { ["p1"] = "Ann", ["p2"] = "Bo", ["p3"] = "Cai" };
        string[] keys = ["p1", "p2", "p3", "zz-none-1", "zz-none-2"];
        var lookups = Enumerable.Range(0, 60).Select(i => (Client: i % 2 == 0 ? filtered : open, Filtered: i % 2 == 0, Key: keys[i % keys.Length])).ToList();
        var readsBefore = _bed.Services.GetRequiredService<LookupService>().SingleKeyReads;

        var answers = await Task.WhenAll(lookups.Select(l => l.Client.GetAsync(DatasetId, l.Key)));

        var readsAfter = _bed.Services.GetRequiredService<LookupService>().SingleKeyReads;
        TestContext.Out.WriteLine($"{readsAfter.Lookups - readsBefore.Lookups} single-key lookups in {readsAfter.Reads - readsBefore.Reads} reads");
        static bool Visible(string key, bool filtered) => key.StartsWith('p') && !(filtered && key == "p2");
        var entries = await _bed.Admin.EntriesAsync(DatasetId, "record-looked-up");
        IEnumerable<string> Audited(string agency) => entries.Where(e => e["actorAgency"]!.GetValue<string>() == agency)
            .Select(e => $"{e["details"]!["subjects"]![0]!.GetValue<string>()} {e["details"]!["found"]![0]!.GetValue<bool>()}");
        IEnumerable<string> Expected(bool filtered) => lookups.Where(l => l.Filtered == filtered)
            .Select(l => $"{Lookups.SubjectHash(DatasetId, l.Key)} {Visible(l.Key, filtered)}");
        Assert.Multiple(() =>
        {
            for (var i = 0; i < lookups.Count; i++)
            {
                var (_, isFiltered, key) = lookups[i];
                var (status, body, _) = answers[i];
                if (Visible(key, isFiltered))
                {
                    Assert.That(status, Is.EqualTo(HttpStatusCode.OK), $"{key}: {body}");
                    Assert.That(JsonNode.Parse(body)!["record"]!.ToJsonString(), Is.EqualTo($$"""{"id":"{{key}}","name":"{{names[key]}}"}"""), key);
                }
                else
                {
                    Assert.That(status, Is.EqualTo(HttpStatusCode.NotFound), $"{key} (filtered: {isFiltered}): {body}");
                }
            }
            Assert.That(Audited(filteredAgency), Is.EquivalentTo(Expected(filtered: true)), "one entry per lookup, with its own subject and outcome");
            Assert.That(Audited(openAgency), Is.EquivalentTo(Expected(filtered: false)));
            Assert.That(readsAfter.Lookups - readsBefore.Lookups, Is.EqualTo(lookups.Count), "every single-key lookup read through the coalescer");
        });
    }

    async Task<long> MaxSeqAsync()
    {
        await using var conn = new NpgsqlConnection(_bed.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("select seq from dx.audit_head", conn);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }
}
