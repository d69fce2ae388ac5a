using System.Net;
using System.Text.Json.Nodes;
using DataExchange.IntegrationTests.Hosting;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Datasets;

/// <summary>
/// Issue 15: shared schema components. An agency registers a reusable schema under a URI; dataset schemas $ref
/// it; the component version is pinned when the dataset schema version is registered, so a later version changes
/// nothing published; compatibility checks follow the reference; only registered components resolve.
/// </summary>
[TestFixture]
public sealed class SchemaComponentTests() : ExchangeFixture("components")
{
    const string Address = "https://schemas.cn-geo.example/address";
    ApiClient _geo = null!;
    ApiClient _tax = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _geo = await Admin.NewAgencyAsync("cn-geo", "Geography bureau");
        _tax = await Admin.NewAgencyAsync("cn-tax", "Tax bureau");
    }

    [Test]
    public async Task Component_IsPinnedAtRegistration_LaterVersionsChangeNothingPublished_AndCompatibilityFollowsTheRef()
    {
        var v1 = await _geo.PostAsync("/api/v1/schema-components", new { uri = Address, schema = AddressSchema(postcodePattern: null) });
        Assert.That(v1["version"]!.GetValue<int>(), Is.EqualTo(1));
        const string id = "cn-geo.sites";
        File.WriteAllText(Factory.DropFile("cn-geo", "sites.ndjson"),
            "{\"code\":\"A1\",\"address\":{\"city\":\"Foshan\",\"postcode\":\"5280\"}}\n{\"code\":\"B2\",\"address\":{\"postcode\":\"528000\"}}\n");
        await _geo.PostAsync("/api/v1/datasets", new
        {
            id, title = "Sites", keyFields = new[] { "code" }, classification = "public", schema = SiteSchema(),
            feed = new { source = "file:cn-geo/sites.ndjson", format = "ndjson", cron = "0 3 * * *", rejectThreshold = 0.5 }
        });
        var first = await RunAsync(id);
        Assert.Multiple(() =>
        {
            Assert.That(first["counts"]!["inserted"]!.GetValue<long>(), Is.EqualTo(1), first.ToJsonString());
            Assert.That(first["counts"]!["rejected"]!.GetValue<long>(), Is.EqualTo(1), "B2 has no city, which the component requires");
        });

        var v2 = await _geo.PostAsync("/api/v1/schema-components", new { uri = Address, schema = AddressSchema(postcodePattern: "^[0-9]{6}$") });
        Assert.That(v2["version"]!.GetValue<int>(), Is.EqualTo(2));
        File.WriteAllText(Factory.DropFile("cn-geo", "sites.ndjson"),
            "{\"code\":\"A1\",\"address\":{\"city\":\"Foshan\",\"postcode\":\"5280\"}}\n{\"code\":\"C3\",\"address\":{\"city\":\"Zhuhai\",\"postcode\":\"5190\"}}\n");
        var second = await RunAsync(id);
        Assert.Multiple(() =>
        {
            Assert.That(second["status"]!.GetValue<string>(), Is.EqualTo("succeeded"), second.ToJsonString());
            Assert.That(second["counts"]!["inserted"]!.GetValue<long>(), Is.EqualTo(1), "C3's five-digit postcode is valid under the pinned version 1");
            Assert.That(second["counts"]!["rejected"]!.GetValue<long>(), Is.Zero);
        });
        var records = await _geo.GetAsync($"/api/v1/datasets/{id}/records");
        Assert.That(records["items"]!.AsArray().Select(r => r!["code"]!.GetValue<string>()), Is.EquivalentTo(new[] { "A1", "C3" }));

        // The next dataset schema version compiles against component version 2: BACKWARD sees the new pattern through the $ref.
        var next = SiteSchema();
        next["properties"]!["phone"] = new JsonObject { ["type"] = "string" };
        var (status, problem, _) = await _geo.SendAsync(HttpMethod.Post, $"/api/v1/datasets/{id}/schemas", next);
        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest), problem?.ToJsonString());
        Assert.That(problem!["errors"]!.AsArray().Select(e => e!["pointer"]!.GetValue<string>()), Does.Contain("/properties/address/properties/postcode/pattern"), problem.ToJsonString());
        var versions = await _tax.GetAsync($"/api/v1/schema-components?uri={Uri.EscapeDataString(Address)}");
        Assert.That(versions["items"]!.AsArray().Select(v => v!["version"]!.GetValue<int>()), Is.EqualTo(new[] { 1, 2 }));
        var one = await _tax.GetAsync($"/api/v1/schema-components/2?uri={Uri.EscapeDataString(Address)}");
        Assert.That(one["schema"]!["properties"]!["postcode"]!["pattern"]!.GetValue<string>(), Is.EqualTo("^[0-9]{6}$"));
    }

    [Test]
    public async Task AnotherAgency_CannotVersionTheComponent_AndAnUnregisteredRefIsRefused()
    {
        const string uri = "https://schemas.cn-geo.example/region";
        await _geo.PostAsync("/api/v1/schema-components", new { uri, schema = new { type = "string" } });
        var (status, _, _) = await _tax.SendAsync(HttpMethod.Post, "/api/v1/schema-components", new { uri, schema = new { type = "integer" } });
        Assert.That(status, Is.EqualTo(HttpStatusCode.Forbidden));
        var latest = await _tax.GetAsync($"/api/v1/schema-components?uri={Uri.EscapeDataString(uri)}");
        Assert.That(latest["items"]!.AsArray().Select(v => v!["owner"]!.GetValue<string>()), Is.EqualTo(new[] { "cn-geo" }));

        var schema = SiteSchema();
        schema["properties"]!["address"] = new JsonObject { ["$ref"] = "https://schemas.cn-geo.example/nothing" };
        var (refused, problem, _) = await _geo.SendAsync(HttpMethod.Post, "/api/v1/datasets", new
        {
            id = "cn-geo.bad", title = "Bad", keyFields = new[] { "code" },
            classification = "public", schema, feed = new { source = "file:cn-geo/bad.ndjson", format = "ndjson", cron = "0 3 * * *" }
        });
        Assert.That(refused, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(problem!["errors"]!.AsArray().Select(e => (e!["pointer"]!.GetValue<string>(), e["code"]!.GetValue<string>())),
            Does.Contain(("/schema/properties/address/$ref", "unresolved-ref")), problem.ToJsonString());
    }

    static JsonObject AddressSchema(string? postcodePattern)
    {
        var postcode = new JsonObject { ["type"] = "string" };
        if (postcodePattern is not null) postcode["pattern"] = postcodePattern;
        return new JsonObject
        {
            ["type"] = "object",
            ["required"] = new JsonArray("city"),
            ["properties"] = new JsonObject { ["city"] = new JsonObject { ["type"] = "string" }, ["postcode"] = postcode },
        };
    }

    static JsonObject SiteSchema() => new()
    {
        ["type"] = "object",
        ["required"] = new JsonArray("code", "address"),
        ["properties"] = new JsonObject { ["code"] = new JsonObject { ["type"] = "string" }, ["address"] = new JsonObject { ["$ref"] = Address } },
    };

    async Task<JsonNode> RunAsync(string id)
    {
        var queued = await _geo.PostAsync($"/api/v1/datasets/{id}/runs", null, HttpStatusCode.Accepted);
        return await _geo.WaitForRunAsync(id, queued["id"]!.GetValue<string>());
    }
}
