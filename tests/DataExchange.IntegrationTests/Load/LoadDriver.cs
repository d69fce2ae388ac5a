using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace DataExchange.IntegrationTests.Load;

/// <summary>
/// A consumer hammering the exchange over real HTTP until cancelled: catalogue searches and entries,
/// paged JSON pulls following <c>next</c> to the end, and streamed NDJSON pulls.
/// </summary>
public sealed class LoadDriver(HttpClient http, string key, string datasetId, LoadStats stats)
{
    /// <summary>One client's loop; <paramref name="seed"/> makes each client's mix different but repeatable.</summary>
    public async Task RunAsync(int seed, CancellationToken stop)
    {
        var random = new Random(seed);
        while (!stop.IsCancellationRequested)
        {
            var pick = random.Next(100);
            if (pick < 30) await TimedAsync("catalogue-search", $"/api/v1/datasets?q={Words[random.Next(Words.Length)]}", CountItems, stop);
            else if (pick < 45) await TimedAsync("catalogue-entry", $"/api/v1/catalogue/{datasetId}", _ => Task.FromResult(1L), stop);
            else if (pick < 85) await PagedPullAsync(random.Next(100, 1001), stop);
            else await TimedAsync("ndjson-stream", $"/api/v1/datasets/{datasetId}/records?format=ndjson", CountLines, stop);
        }
    }

    static readonly string[] Words = ["people", "load", "city", "bulk", "nothing-matches"];

    async Task PagedPullAsync(int limit, CancellationToken stop)
    {
        string? after = null;
        do
        {
            var path = $"/api/v1/datasets/{datasetId}/records?limit={limit}" + (after is null ? "" : "&after=" + Uri.EscapeDataString(after));
            after = null;
            await TimedAsync("paged-json", path, async response =>
            {
                var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(stop))!;
                after = body["next"]?.GetValue<string>();
                return body["items"]!.AsArray().Count;
            }, stop);
        }
        while (after is not null && !stop.IsCancellationRequested);
    }

    async Task TimedAsync(string kind, string path, Func<HttpResponseMessage, Task<long>> read, CancellationToken stop)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, stop);
            if (!response.IsSuccessStatusCode && response.StatusCode != HttpStatusCode.NotModified)
            {
                stats.Error(kind, $"{(int)response.StatusCode} {path}: {await response.Content.ReadAsStringAsync(stop)}");
                return;
            }
            var rows = await read(response);
            stats.Ok(kind, clock.Elapsed, rows);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The load window closed mid-request: neither a success nor an error.
        }
        catch (Exception e)
        {
            // Includes HttpClient.Timeout (TaskCanceledException without the stop token).
            stats.Error(kind, $"{e.GetType().Name} after {clock.Elapsed.TotalSeconds:F1}s {path}: {e.Message}");
        }
    }

    async Task<long> CountItems(HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!["items"]!.AsArray().Count;

    static async Task<long> CountLines(HttpResponseMessage response)
    {
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        long lines = 0;
        while (await reader.ReadLineAsync() is { Length: > 0 }) lines++;
        return lines;
    }
}
