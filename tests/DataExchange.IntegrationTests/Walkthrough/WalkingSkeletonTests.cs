using System.Net;
using System.Text.Json.Nodes;
using DataExchange.Core.Datasets.Formats;
using DataExchange.IntegrationTests.Hosting;
using DataExchange.IntegrationTests;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Walkthrough;

/// <summary>
/// Issue 2: register → ingest (real Hangfire) → unchanged re-run → changed re-run → subscribe →
/// 403 before approval → approve → pull → audit, all through the HTTP API.
/// </summary>
[TestFixture]
public sealed class WalkingSkeletonTests() : ExchangeFixture("skeleton")
{
    const string DatasetId = "gd-amr.business-licences";

    [Test]
    public async Task Exchange_RegistersIngestsSharesAndAudits_EndToEnd()
    {
        // 2. Identities: the operator admin creates agencies and issues keys bound to one agency.
        await Admin.PostAsync("/api/v1/agencies", new { code = "gd-amr", name = "Guangdong AMR" });
        await Admin.PostAsync("/api/v1/agencies", new { code = "gz-hrss", name = "Guangzhou HRSS" });
        var steward = await KeyAsync("gd-amr", "steward");
        var consumer = await KeyAsync("gz-hrss", "consumer");
        var keys = await Admin.GetAsync("/api/v1/agencies/gd-amr/keys");
        Assert.That(keys.ToJsonString(), Does.Not.Contain("dx_"), "listed keys never include secrets");

        // 3. Register: the steward registers the sample dataset with its schema and a file feed.
        File.Copy(Samples.Path("feeds", "gd-amr", "business-licences.csv"), Factory.DropFile("gd-amr", "licences.csv"));
        var manifest = DataExchange.Server.Demo.DemoSeeder.ReadManifest(Samples.Path("datasets", "gd-amr.business-licences.json"));
        var registered = await steward.PostAsync("/api/v1/datasets", manifest with { Feed = manifest.Feed! with { Source = "file:gd-amr/licences.csv" } });
        Assert.That(registered["id"]!.GetValue<string>(), Is.EqualTo(DatasetId));

        // 4. Ingest: version 1, with the sample's 6 invalid rows quarantined and 4 duplicates dropped.
        var first = await RunAsync(steward);
        Assert.Multiple(() =>
        {
            Assert.That(first["status"]!.GetValue<string>(), Is.EqualTo("succeeded"));
            Assert.That(Count(first, "read"), Is.EqualTo(404));
            Assert.That(Count(first, "rejected"), Is.EqualTo(6));
            Assert.That(Count(first, "duplicate"), Is.EqualTo(4));
            Assert.That(Count(first, "inserted"), Is.EqualTo(394));
            Assert.That(first["publishedVersion"]!.GetValue<int>(), Is.EqualTo(1));
        });
        var rejected = await steward.GetAsync($"/api/v1/datasets/{DatasetId}/runs/{first["id"]}/rejected");
        Assert.That(rejected["items"]!.AsArray(), Has.Count.EqualTo(6));
        Assert.That(rejected["items"]![0]!["errors"]![0]!["pointer"]!.GetValue<string>(), Does.StartWith("/"));

        // Unchanged file: nothing published.
        var second = await RunAsync(steward);
        Assert.That(second["status"]!.GetValue<string>(), Is.EqualTo("unchanged"));
        Assert.That(second["publishedVersion"], Is.Null);

        // Changed file: 2 rows gone, 1 changed, 1 new → version 2.
        var lines = File.ReadAllLines(Factory.DropFile("gd-amr", "licences.csv")).ToList();
        var newUscc = "91440101MA5CXYW10";
        newUscc += ChineseIds.UsccCheck(newUscc);
        var template = lines[2].Split(',');
        template[0] = newUscc;
        lines.RemoveAt(3);
        lines.RemoveAt(3);
        var changed = lines[5].Split(',');
        changed[^2] = "广州市天河区新地址" + changed[^2].Length;
        lines[5] = string.Join(',', changed);
        lines.Add(string.Join(',', template));
        File.WriteAllLines(Factory.DropFile("gd-amr", "licences.csv"), lines);
        var third = await RunAsync(steward);
        Assert.Multiple(() =>
        {
            Assert.That(third["status"]!.GetValue<string>(), Is.EqualTo("succeeded"), third.ToJsonString());
            Assert.That(third["publishedVersion"]!.GetValue<int>(), Is.EqualTo(2));
            Assert.That(Count(third, "inserted"), Is.EqualTo(1));
            Assert.That(Count(third, "updated"), Is.EqualTo(1));
            Assert.That(Count(third, "deleted"), Is.EqualTo(2));
        });
        var versions = await steward.GetAsync($"/api/v1/datasets/{DatasetId}/versions");
        Assert.That(versions["items"]!.AsArray().Select(v => v!["version"]!.GetValue<int>()), Is.EqualTo(new[] { 2, 1 }));

        // 5. Subscribe and pull: found in the catalogue, refused (and audited) until approved.
        var found = await consumer.GetAsync("/api/v1/datasets?q=licence");
        Assert.That(found["items"]!.AsArray().Select(d => d!["id"]!.GetValue<string>()), Does.Contain(DatasetId));
        var (denied, problem, _) = await consumer.SendAsync(HttpMethod.Get, $"/api/v1/datasets/{DatasetId}/records");
        Assert.That(denied, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(problem!["type"]!.GetValue<string>(), Is.EqualTo("urn:dataexchange:problem:subscription-required"));

        var subscription = await consumer.PostAsync("/api/v1/subscriptions", new { datasetId = DatasetId, purpose = "Verify employers when registering social insurance" });
        var subId = subscription["id"]!.GetValue<string>();
        var (pending, _, _) = await consumer.SendAsync(HttpMethod.Get, $"/api/v1/datasets/{DatasetId}/records");
        Assert.That(pending, Is.EqualTo(HttpStatusCode.Forbidden));
        await steward.PostAsync($"/api/v1/subscriptions/{subId}/approval", new { policy = new { fields = new[] { "uscc", "name", "status" } } }, HttpStatusCode.OK);

        var records = new List<JsonNode>();
        string? after = null;
        do
        {
            var page = await consumer.GetAsync($"/api/v1/datasets/{DatasetId}/records?limit=200" + (after is null ? "" : "&after=" + after));
            Assert.That(page["version"]!.GetValue<int>(), Is.EqualTo(2));
            records.AddRange(page["items"]!.AsArray().Select(r => r!));
            after = page["next"]?.GetValue<string>();
        } while (after is not null);
        Assert.That(records, Has.Count.EqualTo(393));
        Assert.That(records.Select(r => r["uscc"]!.GetValue<string>()), Does.Contain(newUscc).And.Unique);
        Assert.That(records.SelectMany(r => r.AsObject().Select(p => p.Key)).Distinct(), Is.EquivalentTo(new[] { "uscc", "name", "status" }));
        var v1 = await steward.GetAsync($"/api/v1/datasets/{DatasetId}/records?version=1&limit=1000");
        Assert.That(v1["items"]!.AsArray(), Has.Count.EqualTo(394), "old versions stay readable");

        // 6. Audit: every step is in the trail, with actor, target and outcome, and the chain verifies.
        var entries = (await Admin.GetAsync("/api/v1/audit/entries?limit=1000"))["items"]!.AsArray();
        var actions = entries.Select(e => (e!["action"]!.GetValue<string>(), e["outcome"]!.GetValue<string>())).ToList();
        Assert.That(actions, Does.Contain(("agency-created", "succeeded")));
        Assert.That(actions, Does.Contain(("api-key-issued", "succeeded")));
        Assert.That(actions, Does.Contain(("dataset-registered", "succeeded")));
        Assert.That(actions, Does.Contain(("run-finished", "succeeded")));
        Assert.That(actions, Does.Contain(("version-published", "succeeded")));
        Assert.That(actions, Does.Contain(("subscription-approved", "succeeded")));
        Assert.That(actions, Does.Contain(("records-pulled", "allowed")));
        Assert.That(actions.Count(a => a == ("access-denied", "denied")), Is.EqualTo(2));
        var denial = entries.First(e => e!["action"]!.GetValue<string>() == "access-denied")!;
        Assert.That(denial["actorAgency"]!.GetValue<string>(), Is.EqualTo("gz-hrss"));
        Assert.That(denial["target"]!.GetValue<string>(), Is.EqualTo(DatasetId));
        var verification = await Admin.PostAsync("/api/v1/audit/verification", null, HttpStatusCode.OK);
        Assert.That(verification["ok"]!.GetValue<bool>(), Is.True, verification.ToJsonString());
    }

    async Task<ApiClient> KeyAsync(string agency, string role)
    {
        var issued = await Admin.PostAsync($"/api/v1/agencies/{agency}/keys", new { name = $"{agency} {role}", roles = new[] { role } });
        return new ApiClient(Factory.CreateClient(), issued["key"]!.GetValue<string>());
    }

    static async Task<JsonNode> RunAsync(ApiClient steward)
    {
        var queued = await steward.PostAsync($"/api/v1/datasets/{DatasetId}/runs", null, HttpStatusCode.Accepted);
        return await steward.WaitForRunAsync(DatasetId, queued["id"]!.GetValue<string>());
    }

    static long Count(JsonNode run, string name) => run["counts"]![name]!.GetValue<long>();
}
