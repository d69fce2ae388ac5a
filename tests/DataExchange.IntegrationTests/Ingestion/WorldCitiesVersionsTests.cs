using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DataExchange.IntegrationTests.Hosting;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Ingestion;

/// <summary>
/// Issue 12, acceptance: ten successive versions of a real register (GeoNames world cities, CC-BY-4.0, from
/// ../shared/data), each derived from the last with deletions, updates, inserts, duplicates and bad rows
/// (existing keys with a missing name, new keys failing a minimum). What each version must contain is
/// computed here by an independent diff; the exchange's run counts, the published rows (by exact content)
/// and the change feed must all agree with it. Skipped cleanly where ../shared/data is absent.
/// </summary>
[TestFixture]
public sealed class WorldCitiesVersionsTests
{
    static readonly JsonObject Schema = JsonNode.Parse("""
        {"type":"object","required":["name","country","geonameid"],"additionalProperties":false,
         "properties":{"name":{"type":"string","minLength":1},"country":{"type":"string"},"subcountry":{"type":"string"},
                       "geonameid":{"type":"integer","minimum":1}}}
        """)!.AsObject();

    sealed record City(string Name, string Country, string? Subcountry, string Id);

    IngestionHarness _h = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        if (Samples.SharedData is null) Assert.Ignore("../shared/data is not present on this machine.");
        _h = await IngestionHarness.StartAsync("worldcities");
    }

    [OneTimeTearDown]
    public void Stop() => _h?.Dispose();

    static List<City> ReadCities()
    {
        var path = Path.Combine(Samples.SharedData!, "world-cities", "data", "world-cities.csv");
        using var input = File.OpenRead(path);
        using var csv = CsvHelper.CsvReader.Create(input, new CsvHelper.CsvReaderOptions { HasHeader = true }, leaveOpen: true);
        var list = new List<City>();
        while (csv.Read())
            list.Add(new City(csv.GetString(0)!, csv.GetString(1)!, csv.GetString(2) is { Length: > 0 } s ? s : null, csv.GetString(3)!));
        return list;
    }

    [Test]
    public async Task TenVersions_PublishExactlyWhatAnIndependentDiffExpects()
    {
        var random = new Random(12);
        var all = ReadCities();
        Assert.That(all, Has.Count.EqualTo(34_032), "the published register");
        var reserve = new Queue<City>(all.Skip(30_000));
        var current = all.Take(30_000).ToDictionary(c => c.Id, StringComparer.Ordinal);
        var id = await _h.RegisterAsync("world-cities", ["geonameid"], Schema, new { source = "upload", format = "csv", mode = "snapshot" });
        Dictionary<string, City> published = [];

        for (var version = 1; version <= 10; version++)
        {
            var payload = new List<City>(current.Values);
            var bad = new List<string>();
            if (version > 1)
            {
                // Deletions, updates and inserts on the previous payload's content.
                foreach (var key in Pick(random, current.Keys, 150)) current.Remove(key);
                foreach (var key in Pick(random, current.Keys, 300))
                {
                    var c = current[key];
                    current[key] = random.Next(3) == 0 ? c with { Subcountry = c.Subcountry is null ? "Added " + version : null } : c with { Name = c.Name + " ·v" + version };
                }
                for (var n = 0; n < 200 && reserve.Count > 0; n++) { var c = reserve.Dequeue(); current[c.Id] = c; }
                payload = [.. current.Values];
                // Bad rows: existing keys whose row lost its name (their published record must stay), new keys below the minimum.
                var broken = Pick(random, current.Keys.Where(published.ContainsKey), 60).ToHashSet(StringComparer.Ordinal);
                payload = [.. payload.Select(c => broken.Contains(c.Id) ? c with { Name = "" } : c)];
                bad.AddRange(broken);
                for (var n = 1; n <= 10; n++) payload.Add(new City("Nowhere " + n, "Atlantis", null, (-(version * 100 + n)).ToString(System.Globalization.CultureInfo.InvariantCulture)));
                // Identical duplicates are counted, not rejected.
                payload.AddRange(Pick(random, current.Keys.Where(k => !broken.Contains(k)), 5).Select(k => current[k]));
                payload = [.. payload.OrderBy(_ => random.Next())];
            }

            // The independent diff: what version `version` must hold.
            var keptKeys = bad.Where(published.ContainsKey).ToHashSet(StringComparer.Ordinal);
            var valid = payload.Where(c => c.Name.Length > 0 && !c.Id.StartsWith('-')).GroupBy(c => c.Id).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
            var expected = new Dictionary<string, City>(valid, StringComparer.Ordinal);
            foreach (var key in keptKeys) expected[key] = published[key];
            var inserted = valid.Keys.Count(k => !published.ContainsKey(k));
            var updated = valid.Count(kv => published.TryGetValue(kv.Key, out var was) && was != kv.Value);
            var deleted = published.Keys.Count(k => !expected.ContainsKey(k));
            var rejected = payload.Count(c => c.Name.Length == 0 || c.Id.StartsWith('-'));

            var run = await PushAsync(id, Csv(payload));
            Assert.Multiple(() =>
            {
                Assert.That(IngestionHarness.Status(run), Is.EqualTo("succeeded"), run.ToJsonString());
                Assert.That(run["publishedVersion"]!.GetValue<int>(), Is.EqualTo(version));
                Assert.That(IngestionHarness.Count(run, "inserted"), Is.EqualTo(inserted), $"v{version} inserted");
                Assert.That(IngestionHarness.Count(run, "updated"), Is.EqualTo(updated), $"v{version} updated");
                Assert.That(IngestionHarness.Count(run, "deleted"), Is.EqualTo(deleted), $"v{version} deleted");
                Assert.That(IngestionHarness.Count(run, "rejected"), Is.EqualTo(rejected), $"v{version} rejected");
                Assert.That(IngestionHarness.Count(run, "kept"), Is.EqualTo(keptKeys.Count), $"v{version} kept: rejected rows of published keys");
                Assert.That(IngestionHarness.Count(run, "duplicate"), Is.EqualTo(version == 1 ? 0 : 5), $"v{version} duplicates");
            });

            var rows = await RecordsAsync(id, version);
            Assert.That(rows.Count, Is.EqualTo(expected.Count), $"v{version} row count");
            var wrong = expected.Where(kv => !rows.TryGetValue(kv.Key, out var got) || got != kv.Value).Select(kv => kv.Key).Take(5).ToList();
            Assert.That(wrong, Is.Empty, $"v{version}: records differ from the independent diff");

            if (version > 1)
            {
                var changes = await ChangesAsync(id, version);
                Assert.Multiple(() =>
                {
                    Assert.That(changes.Where(c => c.Op == "insert").Select(c => c.Key), Is.EquivalentTo(valid.Keys.Where(k => !published.ContainsKey(k))), $"v{version} change feed inserts");
                    Assert.That(changes.Where(c => c.Op == "delete").Select(c => c.Key), Is.EquivalentTo(published.Keys.Where(k => !expected.ContainsKey(k))), $"v{version} change feed deletes");
                    Assert.That(changes.Count(c => c.Op == "update"), Is.EqualTo(updated), $"v{version} change feed updates");
                    Assert.That(changes.Select(c => c.Key).Intersect(keptKeys), Is.Empty, "a kept record is neither deleted nor updated");
                });
            }
            published = expected;
            // The next version starts from what the source now holds (the broken rows are fixed again at the source).
            current = expected.Values.ToDictionary(c => c.Id, StringComparer.Ordinal);
        }
    }

    static IEnumerable<string> Pick(Random random, IEnumerable<string> keys, int n) => keys.OrderBy(_ => random.Next()).Take(n).ToList();

    static byte[] Csv(List<City> rows)
    {
        static string Q(string? v) => v is null ? "" : "\"" + v.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
        var sb = new StringBuilder("name,country,subcountry,geonameid\n");
        foreach (var c in rows) sb.Append(Q(c.Name)).Append(',').Append(Q(c.Country)).Append(',').Append(Q(c.Subcountry)).Append(',').Append(c.Id).Append('\n');
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    async Task<JsonNode> PushAsync(string datasetId, byte[] payload)
    {
        var content = new ByteArrayContent(payload) { Headers = { ContentType = new("text/csv") } };
        var (status, body, _) = await _h.Steward.SendAsync(HttpMethod.Post, $"/api/v1/datasets/{datasetId}/uploads", content: content);
        Assert.That(status, Is.EqualTo(HttpStatusCode.Accepted), body?.ToJsonString());
        return await _h.Steward.WaitForRunAsync(datasetId, body!["id"]!.GetValue<string>(), TimeSpan.FromMinutes(3));
    }

    async Task<Dictionary<string, City>> RecordsAsync(string datasetId, int version)
    {
        var rows = new Dictionary<string, City>(StringComparer.Ordinal);
        await foreach (var item in PagesAsync($"/api/v1/datasets/{datasetId}/records?version={version}"))
        {
            var c = new City(item.GetProperty("name").GetString()!, item.GetProperty("country").GetString()!,
                item.TryGetProperty("subcountry", out var s) ? s.GetString() : null, item.GetProperty("geonameid").GetRawText());
            rows[c.Id] = c;
        }
        return rows;
    }

    async Task<List<(string Op, string Key)>> ChangesAsync(string datasetId, int version)
    {
        var list = new List<(string, string)>();
        await foreach (var item in PagesAsync($"/api/v1/datasets/{datasetId}/changes?since={version - 1}&until={version}"))
            list.Add((item.GetProperty("op").GetString()!, item.GetProperty("key").GetString()!));
        return list;
    }

    async IAsyncEnumerable<JsonElement> PagesAsync(string path)
    {
        string? after = null;
        do
        {
            var response = await _h.Steward.GetRawAsync(path + "&limit=1000" + (after is null ? "" : "&after=" + Uri.EscapeDataString(after)));
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            using var page = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync());
            foreach (var item in page.RootElement.GetProperty("items").EnumerateArray()) yield return item.Clone();
            after = page.RootElement.TryGetProperty("next", out var next) ? next.GetString() : null;
        } while (after is not null);
    }
}
