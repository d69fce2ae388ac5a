using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using DataExchange.IntegrationTests.Hosting;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Security;

/// <summary>
/// Issue 8: every malformed input gets a clear answer — a 4xx, a failed run with its reason, or
/// quarantined records — never a 500, never a hang; and what was published before is never lost.
/// </summary>
[TestFixture, Category("Security")]
public sealed class MalformedInputTests() : ExchangeFixture("malformed", new Dictionary<string, string?>
{
    ["Ingestion:MaxDecompressedBytes"] = (64 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture),
})
{
    ApiClient _steward = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _steward = await Admin.NewAgencyAsync("gd-mal", "Malformed");
        foreach (var format in new[] { "csv", "ndjson", "json" })
        {
            await _steward.PostAsync("/api/v1/datasets", new
            {
                id = $"gd-mal.{format}", title = format, keyFields = new[] { "id" }, classification = "internal",
                schema = JsonNode.Parse("""{"type":"object","additionalProperties":false,"required":["id","name"],"properties":{"id":{"type":"integer"},"name":{"type":"string","maxLength":100},"note":{"type":["string","null"]}}}"""),
                feed = new { source = "upload", format },
            });
            var baseline = format switch
            {
                "csv" => "id,name,note\n100,Base,kept\n101,Base,kept\n",
                "ndjson" => "{\"id\":100,\"name\":\"Base\"}\n{\"id\":101,\"name\":\"Base\"}\n",
                _ => "[{\"id\":100,\"name\":\"Base\"},{\"id\":101,\"name\":\"Base\"}]",
            };
            var run = await UploadAsync(format, System.Text.Encoding.UTF8.GetBytes(baseline));
            Assert.That(run!["publishedVersion"]!.GetValue<int>(), Is.EqualTo(1));
        }
    }

    [Test]
    public async Task EveryMalformedInput_GetsAClearAnswer_AndNothingPublishedIsLost()
    {
        var cases = MalformedInputCorpus.All().ToList();
        Assert.That(cases, Has.Count.GreaterThanOrEqualTo(60));
        var problems = new List<string>();
        var outcomes = new Dictionary<string, int>();
        foreach (var c in cases)
        {
            JsonNode? run;
            try
            {
                run = await UploadAsync(c.Format, c.Body);
            }
            catch (AssertionException e)
            {
                problems.Add($"{c}: {e.Message}");
                continue;
            }
            if (run is null) { outcomes["refused (4xx)"] = outcomes.GetValueOrDefault("refused (4xx)") + 1; continue; }
            var status = run["status"]!.GetValue<string>();
            var rejected = run["counts"]!["rejected"]!.GetValue<long>();
            var outcome = status == "failed" ? "run failed with a reason" : rejected > 0 ? "records quarantined" : $"run {status}";
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
            if (status == "failed" && string.IsNullOrWhiteSpace(run["error"]?.GetValue<string>())) problems.Add($"{c}: failed without a reason");
            if (run["error"]?.GetValue<string>() is { } error && error.Contains("Exception", StringComparison.Ordinal)) problems.Add($"{c}: error leaks an exception: {error}");
        }
        foreach (var format in new[] { "csv", "ndjson", "json" })
        {
            var v1 = await _steward.GetAsync($"/api/v1/datasets/gd-mal.{format}/records?version=1");
            Assert.That(v1["items"]!.AsArray().Select(r => r!["id"]!.GetValue<long>()), Is.EqualTo(new long[] { 100, 101 }), $"{format}: version 1 is intact");
        }
        TestContext.Out.WriteLine($"{cases.Count} malformed inputs: " + string.Join(", ", outcomes.Select(o => $"{o.Value} {o.Key}")));
        Assert.That(problems, Is.Empty);
    }

    /// <summary>Pushes a payload; returns the finished run, or null when the upload itself was refused with a 4xx.</summary>
    async Task<JsonNode?> UploadAsync(string format, byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        var (status, json, _) = await _steward.SendAsync(HttpMethod.Post, $"/api/v1/datasets/gd-mal.{format}/uploads", content: content);
        if ((int)status is >= 400 and < 500) return null;
        Assert.That(status, Is.EqualTo(HttpStatusCode.Accepted), json?.ToJsonString());
        // A hang would be a run that never finishes: 30 s is far beyond any of these payloads.
        return await _steward.WaitForRunAsync($"gd-mal.{format}", json!["id"]!.GetValue<string>(), TimeSpan.FromSeconds(30));
    }
}
