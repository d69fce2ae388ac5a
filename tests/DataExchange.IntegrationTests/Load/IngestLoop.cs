using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using DataExchange.IntegrationTests.Hosting;

namespace DataExchange.IntegrationTests.Load;

/// <summary>
/// Ingestion running under the load: uploads a large CSV snapshot to its own dataset again and again
/// (each time 1% of rows changed) until the window closes, then waits for the last run.
/// </summary>
public sealed class IngestLoop(ApiClient steward, string datasetId, int rows)
{
    /// <summary>Each finished run: status, rows in the payload, seconds from upload to its end.</summary>
    public List<(string Status, int Rows, double Seconds, JsonNode Run)> Runs { get; } = [];

    public async Task RunAsync(CancellationToken stop)
    {
        for (var round = 0; round == 0 || !stop.IsCancellationRequested; round++)
        {
            var clock = Stopwatch.StartNew();
            var content = new StringContent(Csv(rows, round), Encoding.UTF8);
            content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
            var (status, body, _) = await steward.SendAsync(HttpMethod.Post, $"/api/v1/datasets/{datasetId}/uploads", content: content);
            if (status != HttpStatusCode.Accepted) throw new InvalidOperationException($"upload refused: {(int)status} {body}");
            var run = await steward.WaitForRunAsync(datasetId, body!["id"]!.GetValue<string>(), TimeSpan.FromMinutes(5));
            Runs.Add((run["status"]!.GetValue<string>(), rows, clock.Elapsed.TotalSeconds, run));
        }
    }

    /// <summary>id,name,city,age; round r changes the age of the rows with i % 100 == r % 100 (1%).</summary>
    public static string Csv(int rows, int round)
    {
        var text = new StringBuilder(rows * 40).Append("id,name,city,age\n");
        for (var i = 0; i < rows; i++)
            text.Append('r').Append(i).Append(",Person ").Append(i).Append(",City ").Append(i % 997).Append(',')
                .Append(i % 90 + (round > 0 && i % 100 == round % 100 ? round : 0)).Append('\n');
        return text.ToString();
    }
}
