using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Hosting;

/// <summary>A thin JSON client over the test server, authenticated with one API key.</summary>
public sealed class ApiClient(HttpClient http, string? key)
{
    /// <summary>The API key this client sends (null: anonymous).</summary>
    public string? Key => key;

    /// <summary>The underlying client.</summary>
    public HttpClient Http { get; } = http;

    /// <summary>Sends a request and returns status and parsed JSON body (null when empty).</summary>
    public async Task<(HttpStatusCode Status, JsonNode? Body, HttpResponseMessage Response)> SendAsync(HttpMethod method, string path, object? body = null, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (key is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        if (body is not null) request.Content = JsonContent.Create(body);
        if (content is not null) request.Content = content;
        var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text), response);
    }

    /// <summary>GET with this client's key, the response as it came (streams, CSV, exact bytes).</summary>
    public Task<HttpResponseMessage> GetRawAsync(string path)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (key is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return Http.SendAsync(request);
    }

    /// <summary>GET, asserting 200.</summary>
    public async Task<JsonNode> GetAsync(string path)
    {
        var (status, body, _) = await SendAsync(HttpMethod.Get, path);
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), $"GET {path}: {body}");
        return body!;
    }

    /// <summary>POST, asserting <paramref name="expected"/>.</summary>
    public async Task<JsonNode> PostAsync(string path, object? body, HttpStatusCode expected = HttpStatusCode.Created)
    {
        var (status, json, _) = await SendAsync(HttpMethod.Post, path, body ?? new { });
        Assert.That(status, Is.EqualTo(expected), $"POST {path}: {json}");
        return json!;
    }

    /// <summary>Polls a run until it reaches a final status (a real Hangfire server executes it).</summary>
    public async Task<JsonNode> WaitForRunAsync(string datasetId, string runId, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            var run = await GetAsync($"/api/v1/datasets/{datasetId}/runs/{runId}");
            var status = run["status"]!.GetValue<string>();
            if (status is "succeeded" or "unchanged" or "failed" or "skipped" or "held" or "discarded") return run;
            if (DateTime.UtcNow > deadline) Assert.Fail($"Run {runId} still {status} after the timeout: {run}");
            await Task.Delay(100);
        }
    }
}
