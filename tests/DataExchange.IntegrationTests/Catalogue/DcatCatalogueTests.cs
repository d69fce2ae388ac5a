using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using DataExchange.IntegrationTests.Hosting;
using DataExchange.IntegrationTests.Pull;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Catalogue;

/// <summary>
/// Issue 17: the catalogue as DCAT-AP 3 (JSON-LD and Turtle) conforms to the official DCAT-AP 3.0.0 SHACL
/// shapes (validated with npm rdf-validate-shacl under Node: zero violations), carries the steward's metadata
/// and what the exchange derives; datasets classified public are listed without a key, and the records of
/// those marked open are read without one (audited), while everything else stays behind a key.
/// </summary>
[TestFixture]
public sealed class DcatCatalogueTests
{
    const string Open = "own.open-register", Secret = "own.secret-register";
    static readonly string Tools = Path.Combine(Samples.RepositoryRoot, ".ci", "tools");
    PullTestBed _bed = null!;
    HttpClient _anonymous = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _bed = await PullTestBed.StartAsync("dcat");
        await _bed.PublishAsync(new { id = "p1", name = "P1" });
        await RegisterAsync(Open, "public", new
        {
            licence = "http://publications.europa.eu/resource/authority/licence/CC_BY_4_0",
            contactPoint = new { name = "Open data desk", email = "opendata@own.example" },
            themes = new[] { "http://publications.europa.eu/resource/authority/data-theme/ECON" },
            spatial = new[] { "https://sws.geonames.org/1809935/" },
            temporal = new { start = "2020-01-01", end = "2026-12-31" },
            open = true,
        }, cron: "0 2 * * *");
        await _bed.PublishToAsync(Open, new { id = "o1", name = "Open one" }, new { id = "o2", name = "Open two" });
        await RegisterAsync(Secret, "confidential", null, cron: null);
        _anonymous = _bed.Anonymous();
    }

    Task RegisterAsync(string id, string classification, object? metadata, string? cron) => _bed.Steward.PostAsync("/api/v1/datasets", new
    {
        id, title = id + " title", description = "A register for the DCAT tests", keyFields = new[] { "id" }, classification, tags = new[] { "register", "dcat" },
        schema = JsonNode.Parse("""{"type":"object","required":["id"],"properties":{"id":{"type":"string"},"name":{"type":"string"}}}"""),
        feed = cron is null ? (object)new { source = "upload", format = "ndjson" } : new { source = "upload", format = "ndjson", cron },
        metadata,
    });

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _anonymous.Dispose();
        await _bed.DisposeAsync();
    }

    async Task<string> DcatAsync(HttpClient client, string path, string accept)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        Assert.That(response.Content.Headers.ContentType!.MediaType, Is.EqualTo(accept));
        return text;
    }

    [TestCase("text/turtle", ".ttl", "", 100)]
    [TestCase("application/ld+json", ".jsonld", "", 100)]
    [TestCase("text/turtle", ".ttl", "?limit=1", 30)]
    public async Task Catalogue_ConformsToTheOfficialDcatAp3Shapes(string accept, string extension, string query, int minTriples)
    {
        // The official shapes (SEMIC, CC BY 4.0, attributed in Catalogue/Shacl/README.md) are kept in the repository, so
        // the validation runs on any clone; DX_DCAT_AP_SHAPES points at another copy (a newer release, say).
        var shapes = Environment.GetEnvironmentVariable("DX_DCAT_AP_SHAPES")
            ?? Path.Combine(Samples.RepositoryRoot, "tests", "DataExchange.IntegrationTests", "Catalogue", "Shacl", "dcat-ap-3.0.0-SHACL.ttl");
        if (!File.Exists(shapes)) Assert.Fail($"DCAT-AP 3.0.0 SHACL shapes not found at {shapes}");
        var node = await ValidatorAsync();
        var file = Path.Combine(Path.GetDirectoryName(node)!, "catalogue" + extension);
        await File.WriteAllTextAsync(file, await DcatAsync(_bed.Steward.Http, "/api/v1/catalogue/dcat" + query, accept));
        var (code, output) = await RunAsync("node", node, shapes, file);
        Assert.That(code, Is.Zero, output);
        var report = JsonNode.Parse(output.Trim().Split('\n')[^1])!;
        Assert.That(report["results"]!.AsArray().Select(r => r!.ToJsonString()), Is.Empty, "SHACL violations");
        Assert.That(report["conforms"]!.GetValue<bool>(), Is.True);
        Assert.That(report["triples"]!.GetValue<int>(), Is.GreaterThan(minTriples), "the graph the validator read is the whole catalogue page");
    }

    [Test]
    public async Task Catalogue_IsPaged_AndAHarvesterFollowingHydraNextPageReadsEveryDatasetOnce()
    {
        foreach (var (client, expected) in new[] { (_bed.Steward.Http, new[] { PullTestBed.DatasetId, Open, Secret }), (_anonymous, new[] { PullTestBed.DatasetId, Open }) })
        {
            var seen = new List<string>();
            string? url = "/api/v1/catalogue/dcat?limit=1";
            var pages = 0;
            while (url is not null)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, url);
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/ld+json"));
                using var response = await client.SendAsync(request);
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
                var graph = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["@graph"]!.AsArray();
                var catalogue = graph.Single(n => n!["@type"]!.AsArray().Any(t => t!.GetValue<string>() == "dcat:Catalog"))!;
                seen.AddRange(catalogue["dcat:dataset"]!.AsArray().Select(d => d!["@id"]!.GetValue<string>().Split('/')[^1]));
                var page = graph.Single(n => n!["@type"]!.AsArray().Any(t => t!.GetValue<string>() == "hydra:PagedCollection"))!;
                Assert.That(page["hydra:totalItems"]![0]!["@value"]!.GetValue<string>(), Is.EqualTo(expected.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                Assert.That(page["hydra:itemsPerPage"]![0]!["@value"]!.GetValue<string>(), Is.EqualTo("1"));
                Assert.That(page["hydra:firstPage"]![0]!["@value"]!.GetValue<string>(), Does.EndWith("/api/v1/catalogue/dcat?limit=1"));
                var next = page["hydra:nextPage"]?[0]?["@value"]?.GetValue<string>();
                Assert.That(response.Headers.TryGetValues("Link", out var link) ? link.Single() : null,
                    next is null ? Is.Null : Is.EqualTo($"<{new Uri(next).PathAndQuery}>; rel=\"next\""), "the Link header names the same next page");
                url = next is null ? null : new Uri(next).PathAndQuery;
                Assert.That(++pages, Is.LessThanOrEqualTo(expected.Length), "no page repeats");
            }
            Assert.That(seen, Is.EqualTo(expected.Order(StringComparer.Ordinal)), "each dataset once, in id order");
            Assert.That(pages, Is.EqualTo(expected.Length));
        }
        Assert.That((await _anonymous.GetAsync("/api/v1/catalogue/dcat?after=bad!cursor")).StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), "a cursor it did not give out");
    }

    [Test]
    public async Task Dataset_CarriesTheStewardsMetadata_AndWhatTheExchangeDerives()
    {
        var doc = JsonNode.Parse(await DcatAsync(_bed.Steward.Http, $"/api/v1/catalogue/{Open}/dcat", "application/ld+json"))!;
        var graph = doc["@graph"]!.AsArray().ToDictionary(n => n!["@id"]!.GetValue<string>(), n => n!);
        var dataset = graph.Values.Single(n => n["@type"]!.AsArray().Any(t => t!.GetValue<string>() == "dcat:Dataset"));
        string[] Ids(string predicate) => [.. dataset[predicate]!.AsArray().Select(v => (v!["@id"] ?? v["@value"])!.GetValue<string>())];
        Assert.That(Ids("dct:identifier"), Is.EqualTo(new[] { Open }));
        Assert.That(Ids("dct:publisher").Single(), Does.EndWith("/api/v1/agencies/own"));
        Assert.That(graph[Ids("dct:publisher").Single()]["foaf:name"]![0]!["@value"]!.GetValue<string>(), Is.EqualTo("Owner agency"));
        Assert.That(Ids("dct:accrualPeriodicity"), Is.EqualTo(new[] { "http://publications.europa.eu/resource/authority/frequency/DAILY" }), "from the cron 0 2 * * *");
        Assert.That(Ids("dct:conformsTo").Single(), Does.EndWith($"/api/v1/datasets/{Open}/schemas/1"));
        Assert.That(Ids("dcat:keyword"), Is.EquivalentTo(new[] { "register", "dcat" }));
        Assert.That(Ids("dcat:theme"), Is.EqualTo(new[] { "http://publications.europa.eu/resource/authority/data-theme/ECON" }));
        Assert.That(Ids("dct:spatial"), Is.EqualTo(new[] { "https://sws.geonames.org/1809935/" }));
        Assert.That(Ids("dct:accessRights"), Is.EqualTo(new[] { "http://publications.europa.eu/resource/authority/access-right/PUBLIC" }));
        Assert.That(Ids("dcat:distribution").Select(d => d[(d.LastIndexOf('/') + 1)..]), Is.EquivalentTo(new[] { "records", "records.ndjson", "records.csv" }));
        var published = (await _bed.Steward.GetAsync($"/api/v1/datasets/{Open}"))["publishedAt"]!.GetValue<DateTimeOffset>();
        Assert.That(DateTimeOffset.Parse(Ids("dct:modified").Single(), System.Globalization.CultureInfo.InvariantCulture), Is.EqualTo(published).Within(TimeSpan.FromSeconds(1)));
        var contact = graph[Ids("dcat:contactPoint").Single()];
        Assert.That(contact["vcard:hasEmail"]![0]!["@id"]!.GetValue<string>(), Is.EqualTo("mailto:opendata@own.example"));
        var distribution = graph[Ids("dcat:distribution").First(d => d.EndsWith(".csv", StringComparison.Ordinal))];
        Assert.That(distribution["dct:license"]![0]!["@id"]!.GetValue<string>(), Is.EqualTo("http://publications.europa.eu/resource/authority/licence/CC_BY_4_0"));
    }

    [Test]
    public async Task PublicCatalogue_WithoutAKey_ListsAndDescribesOnlyPublicDatasets()
    {
        var listed = JsonNode.Parse(await _anonymous.GetStringAsync("/api/v1/datasets"))!["items"]!.AsArray().Select(d => d!["id"]!.GetValue<string>()).ToList();
        Assert.That(listed, Is.EquivalentTo(new[] { PullTestBed.DatasetId, Open }));
        Assert.That(JsonNode.Parse(await _anonymous.GetStringAsync("/api/v1/datasets?classification=confidential"))!["items"]!.AsArray(), Is.Empty);
        Assert.That((await _anonymous.GetAsync($"/api/v1/datasets/{Open}")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await _anonymous.GetAsync($"/api/v1/catalogue/{Open}")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        foreach (var path in new[] { $"/api/v1/datasets/{Secret}", $"/api/v1/catalogue/{Secret}", $"/api/v1/catalogue/{Secret}/dcat", "/api/v1/datasets/own.nothing" })
            Assert.That((await _anonymous.GetAsync(path)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), path);
        var dcat = await DcatAsync(_anonymous, "/api/v1/catalogue/dcat", "text/turtle");
        Assert.That(dcat, Does.Contain(Open).And.Not.Contain(Secret));
        Assert.That(await DcatAsync(_bed.Steward.Http, "/api/v1/catalogue/dcat", "text/turtle"), Does.Contain(Secret), "with a key, every dataset");

        using var garbage = new HttpRequestMessage(HttpMethod.Get, "/api/v1/datasets");
        garbage.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "dx_not_a_key");
        Assert.That((await _anonymous.SendAsync(garbage)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "a bad key is refused, not read as anonymous");
    }

    [Test]
    public async Task OpenData_IsReadWithoutAKey_AndEveryPullIsAudited_WhilePublicButClosedDataStaysBehindAKey()
    {
        var page = JsonNode.Parse(await _anonymous.GetStringAsync($"/api/v1/datasets/{Open}/records"))!;
        Assert.That(page["items"]!.AsArray().Select(i => i!["name"]!.GetValue<string>()), Is.EqualTo(new[] { "Open one", "Open two" }));
        Assert.That((await _anonymous.GetStringAsync($"/api/v1/datasets/{Open}/records.csv")).Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(3));
        Assert.That((await _anonymous.GetAsync($"/api/v1/datasets/{PullTestBed.DatasetId}/records")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "public, not open");
        Assert.That((await _anonymous.GetAsync($"/api/v1/datasets/{Secret}/records")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));

        var audit = await _bed.Admin.GetAsync($"/api/v1/audit/entries?dataset={Open}&action=records-pulled");
        var anonymous = audit["items"]!.AsArray().Where(e => e!["actorClient"]?.GetValue<string>() == "anonymous").ToList();
        Assert.That(anonymous, Has.Count.EqualTo(2));
        Assert.That(anonymous.Select(e => e!["details"]!["rows"]!.GetValue<long>()), Is.All.EqualTo(2));
    }

    [Test]
    public async Task Open_IsRefused_ForADatasetThatIsNotPublic()
    {
        var (status, body, _) = await _bed.Steward.SendAsync(HttpMethod.Post, "/api/v1/datasets", new
        {
            id = "own.not-open", title = "Not open", keyFields = new[] { "id" }, classification = "internal",
            schema = JsonNode.Parse("""{"type":"object","properties":{"id":{"type":"string"}}}"""),
            feed = new { source = "upload" }, metadata = new { open = true },
        });
        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest), body?.ToJsonString());
        Assert.That(body!["errors"]!.AsArray().Select(e => e!["code"]!.GetValue<string>()), Does.Contain("open-not-public"));
    }

    /// <summary>validate.mjs beside rdf-validate-shacl in .ci/tools (installed from npm on first use); ignored without npm.</summary>
    static async Task<string> ValidatorAsync()
    {
        Directory.CreateDirectory(Tools);
        if (!Directory.Exists(Path.Combine(Tools, "node_modules", "rdf-validate-shacl")) || !Directory.Exists(Path.Combine(Tools, "node_modules", "@zazuko", "env-node")))
        {
            var (code, output) = await RunAsync("npm", "install", "--prefix", Tools, "--no-audit", "--no-fund", "--loglevel=error", "rdf-validate-shacl@0.6.5", "@zazuko/env-node@3.0.0");
            if (code != 0) Assert.Ignore($"rdf-validate-shacl could not be installed from npm into .ci/tools: {output}");
        }
        var dir = Path.Combine(Tools, "shacl");
        Directory.CreateDirectory(dir);
        var script = Path.Combine(dir, "validate.mjs");
        File.Copy(Path.Combine(Samples.RepositoryRoot, "tests", "DataExchange.IntegrationTests", "Catalogue", "Shacl", "validate.mjs"), script, overwrite: true);
        return script;
    }

    static async Task<(int Code, string Output)> RunAsync(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Tools };
        foreach (var arg in args) psi.ArgumentList.Add(arg);
        try
        {
            using var process = Process.Start(psi)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            return (process.ExitCode, await stdout + await stderr);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Assert.Ignore($"{file} is not installed: {e.Message}");
            throw;
        }
    }
}
