using System.Net;
using System.Text.Json.Nodes;
using DataExchange.IntegrationTests.Hosting;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Datasets;

/// <summary>Issue 3: versioned schemas, compatibility on registration, Frictionless import of real feeds.</summary>
[TestFixture]
public sealed class SchemaEvolutionTests() : ExchangeFixture("schemas")
{
    ApiClient _steward = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _steward = await Admin.NewAgencyAsync("cn-stats", "Statistics bureau");
    }

    [Test]
    public async Task SchemaVersions_CompatibleOnesPublish_IncompatibleOneIsRefused_AndBothVersionsStayReadable()
    {
        const string id = "cn-stats.offices";
        File.WriteAllText(Factory.DropFile("cn-stats", "offices.csv"), "code,name\nA1,North office\nB2,South office\n");
        var v1 = Schema(("code", "{\"type\":\"string\",\"maxLength\":10}"), ("name", "{\"type\":\"string\"}"));
        await _steward.PostAsync("/api/v1/datasets", new
        {
            id, title = "Offices", keyFields = new[] { "code" }, classification = "public", schema = v1,
            feed = new { source = "file:cn-stats/offices.csv", format = "csv", cron = "0 3 * * *" }
        });
        var first = await RunAsync(id);
        Assert.That(first["schemaVersion"]!.GetValue<int>(), Is.EqualTo(1));

        // v2 adds an optional column: BACKWARD-compatible.
        var v2 = Schema(("code", "{\"type\":\"string\",\"maxLength\":10}"), ("name", "{\"type\":\"string\"}"), ("phone", "{\"type\":[\"string\",\"null\"]}"));
        var dryRun = await _steward.PostAsync($"/api/v1/datasets/{id}/schemas/compatibility", v2, HttpStatusCode.OK);
        Assert.That(dryRun["compatible"]!.GetValue<bool>(), Is.True, dryRun.ToJsonString());
        var registered = await _steward.PostAsync($"/api/v1/datasets/{id}/schemas", v2);
        Assert.That(registered["version"]!.GetValue<int>(), Is.EqualTo(2));
        File.WriteAllText(Factory.DropFile("cn-stats", "offices.csv"), "code,name,phone\nA1,North office,020-1234\nB2,South office,\nC3,East office,020-5678\n");
        var second = await RunAsync(id);
        Assert.Multiple(() =>
        {
            Assert.That(second["status"]!.GetValue<string>(), Is.EqualTo("succeeded"), second.ToJsonString());
            Assert.That(second["schemaVersion"]!.GetValue<int>(), Is.EqualTo(2));
            Assert.That(second["publishedVersion"]!.GetValue<int>(), Is.EqualTo(2));
        });

        // v3 tightens maxLength and adds a required field: refused, every issue listed, nothing changed.
        var v3 = Schema(("code", "{\"type\":\"string\",\"maxLength\":2}"), ("name", "{\"type\":\"string\"}"), ("phone", "{\"type\":[\"string\",\"null\"]}"), ("region", "{\"type\":\"string\"}"));
        v3["required"] = new JsonArray("code", "name", "region");
        var check = await _steward.PostAsync($"/api/v1/datasets/{id}/schemas/compatibility", v3, HttpStatusCode.OK);
        Assert.That(check["compatible"]!.GetValue<bool>(), Is.False);
        var (status, problem, _) = await _steward.SendAsync(HttpMethod.Post, $"/api/v1/datasets/{id}/schemas", v3);
        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(problem!["type"]!.GetValue<string>(), Is.EqualTo("urn:dataexchange:problem:schema-incompatible"));
        var issues = problem["errors"]!.AsArray().Select(e => (e!["pointer"]!.GetValue<string>(), e["code"]!.GetValue<string>())).ToList();
        Assert.That(issues, Is.EquivalentTo(new[] { ("/required", "REQUIRED_ATTRIBUTE_ADDED"), ("/properties/code/maxLength", "MAX_LENGTH_DECREASED") }), problem.ToJsonString());
        Assert.That(problem["errors"]![1]!["message"]!.GetValue<string>(), Does.StartWith("10 → 2"), "old → new is shown");
        var versions = await _steward.GetAsync($"/api/v1/datasets/{id}/schemas");
        Assert.That(versions["items"]!.AsArray().Select(v => v!["version"]!.GetValue<int>()), Is.EqualTo(new[] { 1, 2 }));

        // Records of both published versions, each under its own schema version.
        var old = await _steward.GetAsync($"/api/v1/datasets/{id}/records?version=1");
        var latest = await _steward.GetAsync($"/api/v1/datasets/{id}/records?version=2");
        Assert.That(old["items"]!.AsArray().Select(r => r!.ToJsonString()), Is.EqualTo(new[] { "{\"code\":\"A1\",\"name\":\"North office\"}", "{\"code\":\"B2\",\"name\":\"South office\"}" }));
        Assert.That(latest["items"]!.AsArray(), Has.Count.EqualTo(3));
        Assert.That(latest["items"]![0]!["phone"]!.GetValue<string>(), Is.EqualTo("020-1234"));
        var schemaV1 = await _steward.GetAsync($"/api/v1/datasets/{id}/schemas/1");
        Assert.That(schemaV1["schema"]!["properties"]!.AsObject().Select(p => p.Key), Is.EquivalentTo(new[] { "code", "name" }), "old versions stay readable");
    }

    [Test]
    public async Task SchemaWithUnenforcedKeyword_IsRefusedWithItsPointer()
    {
        var schema = Schema(("code", "{\"type\":\"string\",\"dependentRequired\":{}}"));
        var (status, problem, _) = await _steward.SendAsync(HttpMethod.Post, "/api/v1/datasets", new
        {
            id = "cn-stats.bad", title = "Bad", keyFields = new[] { "code" },
            classification = "public", schema, feed = new { source = "file:cn-stats/x.csv", cron = "0 3 * * *" }
        });
        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(problem!["errors"]!.AsArray().Select(e => (e!["pointer"]!.GetValue<string>(), e["code"]!.GetValue<string>())),
            Does.Contain(("/schema/properties/code/dependentRequired", "keyword-not-enforced")), "pointers lead into the manifest");
    }

    [Test]
    public async Task Manifest_ViolatingTheManifestSchema_IsRefusedWithEveryPointer()
    {
        var (status, problem, _) = await _steward.SendAsync(HttpMethod.Post, "/api/v1/datasets", new
        {
            id = "cn-stats.Bad Id", title = "", keyFields = Array.Empty<string>(), classification = "secret", schema = Schema(("code", "{\"type\":\"string\"}")),
            feed = new { source = "file:cn-stats/x.csv", format = "xml", cron = "0 3 * * *" },
        });
        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));
        var pointers = problem!["errors"]!.AsArray().Select(e => e!["pointer"]!.GetValue<string>()).ToList();
        Assert.That(pointers, Is.SupersetOf(new[] { "/id", "/title", "/keyFields", "/classification", "/feed/format" }), problem.ToJsonString());
        var (unknown, body, _) = await _steward.SendAsync(HttpMethod.Post, "/api/v1/datasets", new { id = "cn-stats.x", titel = "typo" });
        Assert.That(unknown, Is.EqualTo(HttpStatusCode.BadRequest), "an unknown member is refused, not ignored");
        Assert.That(body!["errors"]!.AsArray().Select(e => e!["pointer"]!.GetValue<string>()), Does.Contain("/titel"), body.ToJsonString());
    }

    [TestCase("world-cities", "world-cities.csv", null, 34032)]
    [TestCase("population", "population.csv", "Country Code,Year", 17195)]
    public async Task FrictionlessPackage_RegistersAndItsRealFeedIngestsCleanly(string package, string file, string? keys, int expected)
    {
        if (Samples.SharedData is null) Assert.Ignore("../shared/data is not present on this machine.");
        var folder = Path.Combine(Samples.SharedData, package);
        File.Copy(Path.Combine(folder, "data", file), Factory.DropFile("cn-stats", file), overwrite: true);
        var datapackage = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "datapackage.json")));
        var id = $"cn-stats.{package}";
        var dataset = await _steward.PostAsync("/api/v1/datasets/frictionless", new
        {
            id, dataPackage = datapackage, keyFields = keys?.Split(','), classification = "public",
            feed = new { source = "file:cn-stats/" + file, format = "csv", cron = "0 4 * * *" },
        });
        Assert.That(dataset["keyFields"]!.AsArray().Select(k => k!.GetValue<string>()), Is.EqualTo(keys?.Split(',') ?? ["geonameid"]));
        var run = await RunAsync(id);
        Assert.Multiple(() =>
        {
            Assert.That(run["status"]!.GetValue<string>(), Is.EqualTo("succeeded"), run.ToJsonString());
            Assert.That(run["counts"]!["read"]!.GetValue<long>(), Is.EqualTo(expected));
            Assert.That(run["counts"]!["rejected"]!.GetValue<long>(), Is.Zero);
            Assert.That(run["counts"]!["duplicate"]!.GetValue<long>(), Is.Zero);
            Assert.That(run["counts"]!["inserted"]!.GetValue<long>(), Is.EqualTo(expected));
        });
    }

    async Task<JsonNode> RunAsync(string id)
    {
        var queued = await _steward.PostAsync($"/api/v1/datasets/{id}/runs", null, HttpStatusCode.Accepted);
        return await _steward.WaitForRunAsync(id, queued["id"]!.GetValue<string>());
    }

    static JsonObject Schema(params (string Name, string Json)[] properties)
    {
        var props = new JsonObject();
        foreach (var (name, json) in properties) props[name] = JsonNode.Parse(json);
        return new JsonObject
        {
            ["$schema"] = "http://json-schema.org/draft-07/schema#",
            ["type"] = "object",
            ["additionalProperties"] = false,
            ["required"] = new JsonArray("code", "name"),
            ["properties"] = props,
        };
    }
}
