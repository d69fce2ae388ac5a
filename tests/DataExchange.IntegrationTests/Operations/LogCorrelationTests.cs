using System.Diagnostics;
using System.Net;
using System.Text.Json;
using DataExchange.IntegrationTests.Hosting;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Operations;

/// <summary>
/// Issue 18 ("Logs"): with the documented switch <c>--Logging:Console:FormatterName=json</c> the real server
/// writes one JSON object per line; the request that queues a run and the run itself (on the Hangfire worker)
/// carry the request's W3C trace id (sent as <c>traceparent</c>), and the run's lines its run id.
/// </summary>
[TestFixture]
public sealed class LogCorrelationTests
{
    [Test, CancelAfter(240_000)]
    public async Task ARequestAndTheRunItQueued_LogJsonWithTheSameTraceId(CancellationToken cancellationToken)
    {
        var database = await TestCluster.CreateDatabaseAsync("logs");
        var environment = new Dictionary<string, string> { ["ConnectionStrings__DataExchange"] = database, ["ASPNETCORE_ENVIRONMENT"] = "Testing" };
        var adminKey = await ServerProcess.BootstrapAdminAsync(environment, cancellationToken);
        var (server, url) = await ServerProcess.StartListeningAsync(["--Logging:Console:FormatterName=json"], environment, cancellationToken);
        await using var running = server;

        var admin = new ApiClient(new HttpClient { BaseAddress = new Uri(url) }, adminKey);
        await admin.PostAsync("/api/v1/agencies", new { code = "logs", name = "Logging agency" });
        var steward = new ApiClient(admin.Http, (await admin.PostAsync("/api/v1/agencies/logs/keys", new { name = "s", roles = new[] { "steward" } }))["key"]!.GetValue<string>());
        await steward.PostAsync("/api/v1/datasets", new
        {
            id = "logs.people", title = "People", description = "Logged", keyFields = new[] { "id" }, classification = "public",
            schema = JsonDocument.Parse("""{"$schema":"http://json-schema.org/draft-07/schema#","type":"object","required":["id"],"properties":{"id":{"type":"string"}}}""").RootElement,
            feed = new { source = "upload", format = "ndjson", mode = "snapshot" },
        });

        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        using var upload = new HttpRequestMessage(HttpMethod.Post, "/api/v1/datasets/logs.people/uploads") { Content = new StringContent("{\"id\":\"a\"}\n{\"id\":\"b\"}\n", System.Text.Encoding.UTF8, "application/x-ndjson") };
        upload.Headers.Authorization = new("Bearer", steward.Key);
        upload.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
        using var accepted = await admin.Http.SendAsync(upload, cancellationToken);
        Assert.That(accepted.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await accepted.Content.ReadAsStringAsync(cancellationToken));
        var runId = JsonDocument.Parse(await accepted.Content.ReadAsStringAsync(cancellationToken)).RootElement.GetProperty("id").GetString()!;
        var run = await steward.WaitForRunAsync("logs.people", runId);
        Assert.That(run["status"]!.GetValue<string>(), Is.EqualTo("succeeded"));
        await Task.Delay(500, cancellationToken); // the last lines reach stdout

        var json = server.Lines.Where(l => l.StartsWith('{')).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.That(server.Lines.Where(l => l.Length > 0 && !l.StartsWith('{')), Is.Empty, "every log line is one JSON object");
        Assert.That(json, Has.All.Matches<JsonElement>(e => e.TryGetProperty("Timestamp", out _) && e.TryGetProperty("LogLevel", out _) && e.TryGetProperty("Category", out _)));

        var traced = json.Where(e => Scope(e, "TraceId") == traceId).ToList();
        Assert.That(traced, Has.Some.Matches<JsonElement>(e => e.GetProperty("Message").GetString()!.Contains("/api/v1/datasets/logs.people/uploads", StringComparison.Ordinal)),
            "the request's own line carries its trace id:\n" + string.Join('\n', server.Lines.TakeLast(30)));
        Assert.That(traced, Has.Some.Matches<JsonElement>(e => Scope(e, "RunId") == runId && e.GetProperty("Message").GetString()!.Contains("ended succeeded", StringComparison.Ordinal)),
            "the run's lines on the worker carry the trace id of the request that queued it, and the run id:\n" + string.Join('\n', server.Lines.TakeLast(30)));
    }

    /// <summary>The value of <paramref name="name"/> in any of a JSON log line's scopes, as text.</summary>
    static string? Scope(JsonElement line, string name) =>
        line.TryGetProperty("Scopes", out var scopes)
            ? scopes.EnumerateArray().Where(s => s.ValueKind == JsonValueKind.Object && s.TryGetProperty(name, out _)).Select(s => s.GetProperty(name).ToString()).FirstOrDefault()
            : null;
}
