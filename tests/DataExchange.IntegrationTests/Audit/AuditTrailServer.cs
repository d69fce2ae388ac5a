using System.Net;
using System.Text.Json.Nodes;
using DataExchange.Core.Agencies;
using DataExchange.Core.Audit;
using DataExchange.IntegrationTests.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace DataExchange.IntegrationTests.Audit;

/// <summary>
/// A full server whose log holds the exchange's main flows (the walking skeleton's, plus a
/// rejection and revocations). Checkpoints are signed when a test asks, never by the clock.
/// </summary>
public sealed class AuditTrailServer : IDisposable
{
    const string DatasetId = "gd-amr.business-licences";
    readonly string _keyDirectory = Directory.CreateTempSubdirectory("dx-audit-key-").FullName;

    AuditTrailServer(string connectionString)
    {
        Factory = new ExchangeFactory(connectionString, new Dictionary<string, string?>
        {
            ["Audit:SigningKeyPath"] = Path.Combine(_keyDirectory, "audit-signing-key.pem"),
            ["Audit:CheckpointEvery"] = "1000000",
            ["Audit:CheckpointInterval"] = "1.00:00:00",
            ["Audit:CheckpointPollInterval"] = "1.00:00:00",
        });
    }

    public ExchangeFactory Factory { get; }
    public ApiClient Admin { get; private set; } = null!;
    public string AdminKey { get; private set; } = "";

    /// <summary>Starts the server and drives register → ingest → subscribe (rejected, then approved) → pull → revoke.</summary>
    public static async Task<AuditTrailServer> StartWithMainFlowsAsync(string prefix)
    {
        var server = new AuditTrailServer(await TestCluster.CreateDatabaseAsync(prefix));
        var bootstrap = await server.Factory.Services.GetRequiredService<ApiKeyService>().BootstrapAdminAsync();
        server.AdminKey = bootstrap!.Key;
        server.Admin = new ApiClient(server.Factory.CreateClient(), server.AdminKey);
        await server.RunMainFlowsAsync();
        return server;
    }

    /// <summary>A new key of <paramref name="role"/> in <paramref name="agency"/>.</summary>
    public async Task<ApiClient> KeyAsync(string agency, string role)
    {
        var issued = await Admin.PostAsync($"/api/v1/agencies/{agency}/keys", new { name = $"{agency} {role}", roles = new[] { role } });
        return new ApiClient(Factory.CreateClient(), issued["key"]!.GetValue<string>());
    }

    /// <summary>Signs a checkpoint of the current head and returns it as the API lists it.</summary>
    public async Task<JsonNode> CheckpointAsync()
    {
        await Factory.Services.GetRequiredService<AuditCheckpoints>().CheckpointAsync();
        return (await Admin.GetAsync("/api/v1/audit/checkpoints?limit=1"))["items"]![0]!;
    }

    /// <summary>The whole-log NDJSON export.</summary>
    public async Task<string> ExportAsync()
    {
        using var response = await Admin.Http.SendAsync(AuditTrailTests.Get("/api/v1/audit/entries/export?format=ndjson", AdminKey));
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }

    async Task RunMainFlowsAsync()
    {
        await Admin.PostAsync("/api/v1/agencies", new { code = "gd-amr", name = "Guangdong AMR" });
        await Admin.PostAsync("/api/v1/agencies", new { code = "gz-hrss", name = "Guangzhou HRSS" });
        var steward = await KeyAsync("gd-amr", "steward");
        var consumer = await KeyAsync("gz-hrss", "consumer");
        var spare = await Admin.PostAsync("/api/v1/agencies/gz-hrss/keys", new { name = "spare", roles = new[] { "consumer" } });
        await Admin.SendAsync(HttpMethod.Delete, $"/api/v1/agencies/gz-hrss/keys/{spare["id"]!.GetValue<string>()}");

        File.Copy(Samples.Path("feeds", "gd-amr", "business-licences.csv"), Factory.DropFile("gd-amr", "licences.csv"));
        var manifest = DataExchange.Server.Demo.DemoSeeder.ReadManifest(Samples.Path("datasets", "gd-amr.business-licences.json"));
        await steward.PostAsync("/api/v1/datasets", manifest with { Feed = manifest.Feed! with { Source = "file:gd-amr/licences.csv" } });
        var queued = await steward.PostAsync($"/api/v1/datasets/{DatasetId}/runs", null, HttpStatusCode.Accepted);
        await steward.WaitForRunAsync(DatasetId, queued["id"]!.GetValue<string>());

        await consumer.SendAsync(HttpMethod.Get, $"/api/v1/datasets/{DatasetId}/records");
        var first = await consumer.PostAsync("/api/v1/subscriptions", new { datasetId = DatasetId, purpose = "Check employers" });
        await steward.PostAsync($"/api/v1/subscriptions/{first["id"]!.GetValue<string>()}/rejection", new { reason = "Purpose too vague" }, HttpStatusCode.OK);
        var second = await consumer.PostAsync("/api/v1/subscriptions", new { datasetId = DatasetId, purpose = "Verify employers for social insurance" });
        var subId = second["id"]!.GetValue<string>();
        await steward.PostAsync($"/api/v1/subscriptions/{subId}/approval", new { policy = new { fields = new[] { "uscc", "name" } } }, HttpStatusCode.OK);
        await consumer.GetAsync($"/api/v1/datasets/{DatasetId}/records?limit=10");
        await steward.SendAsync(HttpMethod.Delete, $"/api/v1/subscriptions/{subId}");
    }

    public void Dispose()
    {
        Factory.Dispose();
        Directory.Delete(_keyDirectory, recursive: true);
    }
}
