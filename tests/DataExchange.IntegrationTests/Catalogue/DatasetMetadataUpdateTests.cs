using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using DataExchange.IntegrationTests.Hosting;
using DataExchange.IntegrationTests.Pull;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Catalogue;

/// <summary>
/// Issue 17: a steward of the owning agency replaces a registered dataset's keywords and DCAT-AP metadata with
/// PUT …/metadata; the catalogue, DCAT and CKAN views show it at once, open data opens and closes at once, every
/// change is audited with the members it changed, and every refusal (another agency, another role, an invalid
/// body) is audited dataset-metadata-refused and changes nothing.
/// </summary>
[TestFixture]
public sealed class DatasetMetadataUpdateTests
{
    const string Licence = "http://publications.europa.eu/resource/authority/licence/CC_BY_4_0";
    const string Internal = "own.internal-register";
    PullTestBed _bed = null!;
    ApiClient _otherSteward = null!, _ownConsumer = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _bed = await PullTestBed.StartAsync("metadata");
        await _bed.PublishAsync(new { id = "m1", name = "Mei" });
        await _bed.Steward.PostAsync("/api/v1/datasets", new
        {
            id = Internal, title = "Internal register", keyFields = new[] { "id" }, classification = "internal",
            schema = JsonNode.Parse("""{"type":"object","properties":{"id":{"type":"string"}}}"""), feed = new { source = "upload" },
        });
        await _bed.Admin.PostAsync("/api/v1/agencies", new { code = "other", name = "Other agency" });
        _otherSteward = await _bed.KeyAsync("other", "steward");
        _ownConsumer = await _bed.KeyAsync("own", "consumer");
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _bed.DisposeAsync();

    static object Body(bool open, string[]? tags = null) => new
    {
        tags = tags ?? new[] { "people", "register" },
        metadata = new
        {
            licence = Licence,
            contactPoint = new { name = "Open data desk", email = "opendata@own.example" },
            themes = new[] { "http://publications.europa.eu/resource/authority/data-theme/SOCI" },
            spatial = new[] { "https://sws.geonames.org/1809935/" },
            temporal = new { start = "2020-01-01" },
            open,
        },
    };

    Task<JsonNode> AuditAsync(string action, string dataset = PullTestBed.DatasetId) => _bed.Admin.GetAsync($"/api/v1/audit/entries?dataset={dataset}&action={action}");

    [Test]
    public async Task Steward_ReplacesTheMetadata_AndEveryViewShowsIt_AndTheChangeIsAudited()
    {
        var (status, dataset, _) = await _bed.Steward.SendAsync(HttpMethod.Put, $"/api/v1/datasets/{PullTestBed.DatasetId}/metadata", Body(open: false));
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), dataset?.ToJsonString());
        Assert.That(dataset!["tags"]!.AsArray().Select(t => t!.GetValue<string>()), Is.EqualTo(new[] { "people", "register" }));
        Assert.That(dataset["metadata"]!["licence"]!.GetValue<string>(), Is.EqualTo(Licence));

        var read = await _bed.Steward.GetAsync($"/api/v1/datasets/{PullTestBed.DatasetId}");
        Assert.That(read["metadata"]!["contactPoint"]!["email"]!.GetValue<string>(), Is.EqualTo("opendata@own.example"));
        using (var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/catalogue/{PullTestBed.DatasetId}/dcat"))
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/turtle"));
            using var response = await _bed.Steward.Http.SendAsync(request);
            var turtle = await response.Content.ReadAsStringAsync();
            Assert.That(turtle, Does.Contain("dcat:keyword \"people\", \"register\"").And.Contain("<" + Licence + ">").And.Contain("data-theme/SOCI").And.Not.Contain("\"test\""));
        }
        var package = await _bed.Steward.GetAsync($"/api/3/action/package_show?id={PullTestBed.DatasetId}");
        Assert.That((package["result"]!["license_id"]!.GetValue<string>(), package["result"]!["maintainer_email"]!.GetValue<string>()), Is.EqualTo((Licence, "opendata@own.example")));

        var entry = (await AuditAsync("dataset-metadata-updated"))["items"]!.AsArray().Single()!;
        Assert.That((entry["outcome"]!.GetValue<string>(), entry["actorAgency"]!.GetValue<string>(), entry["target"]!.GetValue<string>()),
            Is.EqualTo(("succeeded", "own", PullTestBed.DatasetId + "/metadata")));
        Assert.That(entry["details"]!["changed"]!.AsArray().Select(c => c!.GetValue<string>()),
            Is.EquivalentTo(new[] { "tags", "licence", "contactPoint", "themes", "spatial", "temporal" }), "open stayed false");

        // The same body again changes nothing, and says so.
        await _bed.Steward.SendAsync(HttpMethod.Put, $"/api/v1/datasets/{PullTestBed.DatasetId}/metadata", Body(open: false));
        Assert.That((await AuditAsync("dataset-metadata-updated"))["items"]!.AsArray()[^1]!["details"]!["changed"]!.AsArray(), Is.Empty);
    }

    [Test, DependsOnTest(nameof(Steward_ReplacesTheMetadata_AndEveryViewShowsIt_AndTheChangeIsAudited))]
    public async Task MarkingAPublicDatasetOpen_LetsAnyoneReadItsRecordsAtOnce_AndClosingItStopsThem()
    {
        using var anonymous = _bed.Anonymous();
        var path = $"/api/v1/datasets/{PullTestBed.DatasetId}/records";
        Assert.That((await anonymous.GetAsync(path)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "public, not yet open");

        var (status, _, _) = await _bed.Steward.SendAsync(HttpMethod.Put, $"/api/v1/datasets/{PullTestBed.DatasetId}/metadata", Body(open: true));
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
        var page = JsonNode.Parse(await anonymous.GetStringAsync(path))!;
        Assert.That(page["items"]!.AsArray().Select(r => r!["name"]!.GetValue<string>()), Is.EqualTo(new[] { "Mei" }));
        Assert.That((await AuditAsync("dataset-metadata-updated"))["items"]!.AsArray()[^1]!["details"]!["changed"]!.AsArray().Select(c => c!.GetValue<string>()), Is.EqualTo(new[] { "open" }));

        await _bed.Steward.SendAsync(HttpMethod.Put, $"/api/v1/datasets/{PullTestBed.DatasetId}/metadata", Body(open: false));
        Assert.That((await anonymous.GetAsync(path)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "closed again, with no wait for the access cache");
    }

    [Test]
    public async Task AnotherAgencysSteward_AndTheOwnersConsumer_AreRefused_Audited_AndChangeNothing()
    {
        var before = (await _bed.Steward.GetAsync($"/api/v1/datasets/{Internal}")).ToJsonString();
        foreach (var (client, code) in new[] { (_otherSteward, "not-owner"), (_ownConsumer, "role-required") })
        {
            var (status, problem, _) = await client.SendAsync(HttpMethod.Put, $"/api/v1/datasets/{Internal}/metadata", Body(open: false, tags: ["hijacked"]));
            Assert.That(status, Is.EqualTo(HttpStatusCode.Forbidden), problem?.ToJsonString());
            Assert.That(problem!["type"]!.GetValue<string>(), Does.EndWith(code));
        }
        Assert.That((await _bed.Steward.GetAsync($"/api/v1/datasets/{Internal}")).ToJsonString(), Is.EqualTo(before));
        var refused = (await AuditAsync("dataset-metadata-refused", Internal))["items"]!.AsArray().Where(e => e!["details"]!["code"]!.GetValue<string>() != "invalid-request");
        Assert.That(refused.Select(e => (e!["actorAgency"]!.GetValue<string>(), e["outcome"]!.GetValue<string>(), e["details"]!["code"]!.GetValue<string>())),
            Is.EquivalentTo(new[] { ("other", "denied", "not-owner"), ("own", "denied", "role-required") }));
        Assert.That((await AuditAsync("request-refused", Internal))["items"]!.AsArray(), Is.Empty, "each refusal is on the record once");
    }

    [Test]
    public async Task AnInvalidBody_IsRefusedWithEveryProblem_Audited_AndChangesNothing()
    {
        var before = (await _bed.Steward.GetAsync($"/api/v1/datasets/{Internal}")).ToJsonString();
        var (status, problem, _) = await _bed.Steward.SendAsync(HttpMethod.Put, $"/api/v1/datasets/{Internal}/metadata", JsonNode.Parse("""
            {"metadata":{"licence":"not a uri","contactPoint":{"email":"desk@own.example"},"temporal":{"start":"2020-13-45"},"colour":"red"}}
            """));
        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest), problem?.ToJsonString());
        var pointers = problem!["errors"]!.AsArray().Select(e => e!["pointer"]!.GetValue<string>()).ToList();
        Assert.That(pointers, Is.SupersetOf(new[] { "/metadata/licence", "/metadata/contactPoint/name", "/metadata/temporal/start", "/metadata/colour" }), problem.ToJsonString());
        Assert.That(pointers.Any(p => p is "" or "/tags"), Is.True, "tags are required: the update replaces them");

        (status, problem, _) = await _bed.Steward.SendAsync(HttpMethod.Put, $"/api/v1/datasets/{Internal}/metadata", Body(open: true));
        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(problem!["errors"]!.AsArray().Select(e => e!["code"]!.GetValue<string>()), Is.EqualTo(new[] { "open-not-public" }));

        Assert.That((await _bed.Steward.GetAsync($"/api/v1/datasets/{Internal}")).ToJsonString(), Is.EqualTo(before));
        var refused = (await AuditAsync("dataset-metadata-refused", Internal))["items"]!.AsArray().Where(e => e!["actorAgency"]!.GetValue<string>() == "own"
            && e["details"]!["code"]!.GetValue<string>() == "invalid-request").ToList();
        Assert.That(refused, Has.Count.EqualTo(2));
        Assert.That(refused.SelectMany(e => e!["details"]!["problems"]!.AsArray()).Select(p => p!.GetValue<string>()), Does.Contain("/metadata/open open-not-public"));
    }

    [Test]
    public async Task NullMembers_AreAbsentOnes_AsGeneratedClientsSendThem()
    {
        var (status, dataset, _) = await _bed.Steward.SendAsync(HttpMethod.Put, $"/api/v1/datasets/{Internal}/metadata", JsonNode.Parse("""
            {"tags":["internal"],"metadata":{"licence":null,"contactPoint":{"name":"Desk","email":null,"url":null},"themes":null,"temporal":{"start":"2021-01-01","end":null},"open":null}}
            """));
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), dataset?.ToJsonString());
        Assert.That(dataset!["metadata"]!.ToJsonString(), Is.EqualTo("""{"contactPoint":{"name":"Desk"},"temporal":{"start":"2021-01-01"}}"""));
    }
}
