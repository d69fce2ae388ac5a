using System.Net;
using System.Text.Json.Nodes;
using DataExchange.IntegrationTests.Hosting;
using Npgsql;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Security;

/// <summary>
/// A world for authorisation tests: agency A owns a published dataset, B holds an approved
/// subscription to it, C is unrelated; every role in every agency has a key, plus an expired and a
/// revoked key.
/// </summary>
public abstract class SecurityFixture() : ExchangeFixture("security")
{
    protected const string A = "sec-a", B = "sec-b", C = "sec-c", Operator = "exchange";
    protected const string DatasetId = "sec-a.people";
    protected static readonly string[] Roles = ["admin", "steward", "consumer", "auditor"];

    protected string ConnectionString => Factory.ConnectionString;
    protected Dictionary<(string Agency, string Role), string> Keys { get; } = [];
    protected string ExpiredKey { get; private set; } = null!;
    protected string RevokedKey { get; private set; } = null!;
    protected string RunId { get; private set; } = null!;
    protected string SubscriptionId { get; private set; } = null!;

    [OneTimeSetUp]
    public async Task CreateWorldAsync()
    {
        // The bootstrap key is admin and auditor; the matrix wants one role per key.
        Keys[(Operator, "admin")] = (await Admin.PostAsync($"/api/v1/agencies/{Operator}/keys", new { name = "op admin", roles = new[] { "admin" } }))["key"]!.GetValue<string>();
        Keys[(Operator, "auditor")] = (await Admin.PostAsync($"/api/v1/agencies/{Operator}/keys", new { name = "op auditor", roles = new[] { "auditor" } }))["key"]!.GetValue<string>();
        foreach (var agency in new[] { A, B, C })
        {
            await Admin.PostAsync("/api/v1/agencies", new { code = agency, name = agency.ToUpperInvariant() });
            foreach (var role in Roles)
                Keys[(agency, role)] = (await Admin.PostAsync($"/api/v1/agencies/{agency}/keys", new { name = role, roles = new[] { role } }))["key"]!.GetValue<string>();
        }
        var expired = await Admin.PostAsync($"/api/v1/agencies/{A}/keys", new { name = "expiring", roles = Roles, expiresAt = DateTimeOffset.UtcNow.AddHours(1) });
        ExpiredKey = expired["key"]!.GetValue<string>();
        await using (var conn = new NpgsqlConnection(ConnectionString))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand("update dx.api_clients set expires_at = now() - interval '1 minute' where id = $1", conn) { Parameters = { new() { Value = expired["id"]!.GetValue<string>() } } };
            await cmd.ExecuteNonQueryAsync();
        }
        var revoked = await Admin.PostAsync($"/api/v1/agencies/{A}/keys", new { name = "revoked", roles = Roles });
        RevokedKey = revoked["key"]!.GetValue<string>();
        var (status, _, _) = await Admin.SendAsync(HttpMethod.Delete, $"/api/v1/agencies/{A}/keys/{revoked["id"]}");
        Assert.That(status, Is.EqualTo(HttpStatusCode.NoContent));

        File.WriteAllText(Factory.DropFile(A, "people.csv"), "id,name,city\n1,Li Lei,Guangzhou\n2,Han Meimei,Shenzhen\n");
        var steward = Client(Keys[(A, "steward")]);
        await steward.PostAsync("/api/v1/datasets", Manifest(DatasetId));
        var queued = await steward.PostAsync($"/api/v1/datasets/{DatasetId}/runs", null, HttpStatusCode.Accepted);
        RunId = queued["id"]!.GetValue<string>();
        Assert.That((await steward.WaitForRunAsync(DatasetId, RunId))["status"]!.GetValue<string>(), Is.EqualTo("succeeded"));
        var sub = await Client(Keys[(B, "consumer")]).PostAsync("/api/v1/subscriptions", new { datasetId = DatasetId, purpose = "security matrix" });
        SubscriptionId = sub["id"]!.GetValue<string>();
        await steward.PostAsync($"/api/v1/subscriptions/{SubscriptionId}/approval", new { policy = new { } }, HttpStatusCode.OK);
    }

    protected ApiClient Client(string? key) => new(Factory.CreateClient(), key);

    protected static JsonObject Schema() => new()
    {
        ["$schema"] = "http://json-schema.org/draft-07/schema#",
        ["type"] = "object",
        ["additionalProperties"] = false,
        ["required"] = new JsonArray("id", "name"),
        ["properties"] = new JsonObject
        {
            ["id"] = new JsonObject { ["type"] = "integer" },
            ["name"] = new JsonObject { ["type"] = "string" },
            ["city"] = new JsonObject { ["type"] = new JsonArray("string", "null") },
        },
    };

    protected static JsonObject Manifest(string id) => new()
    {
        ["id"] = id,
        ["title"] = "People",
        ["keyFields"] = new JsonArray("id"),
        ["classification"] = "confidential",
        ["schema"] = Schema(),
        ["feed"] = new JsonObject { ["source"] = $"file:{A}/people.csv", ["format"] = "csv", ["cron"] = "0 1 * * *" },
    };

    /// <summary>Every operation of the OpenAPI document, as (method, path template, parameter names).</summary>
    protected async Task<List<(string Method, string Path, List<(string Name, string In)> Parameters)>> OperationsAsync()
    {
        var doc = JsonNode.Parse(await Factory.CreateClient().GetStringAsync("/openapi/v1.json"))!;
        var ops = new List<(string, string, List<(string, string)>)>();
        foreach (var (path, item) in doc["paths"]!.AsObject())
            foreach (var (method, op) in item!.AsObject())
                ops.Add((method.ToUpperInvariant(), path,
                    (op!["parameters"] as JsonArray ?? []).Select(p => (p!["name"]!.GetValue<string>(), p["in"]!.GetValue<string>())).ToList()));
        return ops;
    }
}
