using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using DataExchange.IntegrationTests.Hosting;

namespace DataExchange.IntegrationTests.Ingestion;

/// <summary>The server in the test host with an admin, agency <c>ing-ag</c> and its steward, plus helpers to register and run feeds.</summary>
public sealed class IngestionHarness : IDisposable
{
    public const string Agency = "ing-ag";

    IngestionHarness(string connectionString, ExchangeFactory factory, ApiClient admin, ApiClient steward) =>
        (ConnectionString, Factory, Admin, Steward) = (connectionString, factory, admin, steward);

    public string ConnectionString { get; }
    public ExchangeFactory Factory { get; }
    public ApiClient Admin { get; }
    public ApiClient Steward { get; }

    /// <summary>Starts the server on a new database and creates the agency and its steward key.</summary>
    public static async Task<IngestionHarness> StartAsync(string prefix, IDictionary<string, string?>? settings = null,
        Microsoft.Extensions.Logging.ILoggerProvider? logs = null)
    {
        var connectionString = await TestCluster.CreateDatabaseAsync(prefix);
        var factory = new ExchangeFactory(connectionString, settings, logs);
        var admin = await factory.BootstrapAdminAsync();
        return new IngestionHarness(connectionString, factory, admin, await admin.NewAgencyAsync(Agency, "Ingestion test agency"));
    }

    /// <summary>Registers <c>ing-ag.<paramref name="name"/></c>; returns its id.</summary>
    public async Task<string> RegisterAsync(string name, string[] keyFields, JsonObject schema, object feed)
    {
        var id = $"{Agency}.{name}";
        await Steward.PostAsync("/api/v1/datasets", new { id, title = name, keyFields, classification = "internal", schema, feed });
        return id;
    }

    /// <summary>"Run now", waiting for the run to end.</summary>
    public async Task<JsonNode> RunAsync(string datasetId)
    {
        var queued = await Steward.PostAsync($"/api/v1/datasets/{datasetId}/runs", null, HttpStatusCode.Accepted);
        return await Steward.WaitForRunAsync(datasetId, queued["id"]!.GetValue<string>(), TimeSpan.FromMinutes(2));
    }

    /// <summary>Pushes <paramref name="payload"/> to an upload feed, waiting for its run to end.</summary>
    public async Task<JsonNode> PushAsync(string datasetId, string payload) =>
        await Steward.WaitForRunAsync(datasetId, await UploadAsync(datasetId, payload), TimeSpan.FromMinutes(2));

    /// <summary>Pushes <paramref name="payload"/> to an upload feed (202 Accepted); returns the id of its run.</summary>
    public async Task<string> UploadAsync(string datasetId, string payload)
    {
        var content = new StringContent(payload, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        var (status, body, _) = await Steward.SendAsync(HttpMethod.Post, $"/api/v1/datasets/{datasetId}/uploads", content: content);
        NUnit.Framework.Assert.That(status, NUnit.Framework.Is.EqualTo(HttpStatusCode.Accepted), body?.ToJsonString());
        return body!["id"]!.GetValue<string>();
    }

    /// <summary>The current records of a dataset, as the steward reads them.</summary>
    public async Task<List<JsonNode>> RecordsAsync(string datasetId)
    {
        var page = await Steward.GetAsync($"/api/v1/datasets/{datasetId}/records?limit=1000");
        return [.. page["items"]!.AsArray().Select(r => r!)];
    }

    public static long Count(JsonNode run, string name) => run["counts"]![name]!.GetValue<long>();

    public static string Status(JsonNode run) => run["status"]!.GetValue<string>();

    public void Dispose() => Factory.Dispose();
}
