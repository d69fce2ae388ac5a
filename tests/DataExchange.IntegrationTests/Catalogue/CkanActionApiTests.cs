using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using DataExchange.IntegrationTests.Pull;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Catalogue;

/// <summary>
/// Issue 17: CKAN's Action API, read side. Each action answers in CKAN's envelope with the field names and
/// JSON types of CKAN 2.10's documented responses (package, resource, tag, organization dicts; package_search
/// and datastore_search results), under the same keys (also CKAN's raw Authorization header) and policies;
/// datastore_search is policy-shaped and audited as a pull.
/// </summary>
[TestFixture]
public sealed class CkanActionApiTests
{
    PullTestBed _bed = null!;
    Hosting.ApiClient _consumer = null!;

    // CKAN 2.10 docs (ckan.logic.action.get): members every dict of the kind has, with their JSON kinds.
    static readonly Dictionary<string, JsonValueKind[]> PackageShape = new()
    {
        ["id"] = [JsonValueKind.String], ["name"] = [JsonValueKind.String], ["title"] = [JsonValueKind.String], ["notes"] = [JsonValueKind.String],
        ["type"] = [JsonValueKind.String], ["state"] = [JsonValueKind.String], ["private"] = [JsonValueKind.True, JsonValueKind.False],
        ["owner_org"] = [JsonValueKind.String], ["organization"] = [JsonValueKind.Object], ["metadata_created"] = [JsonValueKind.String],
        ["metadata_modified"] = [JsonValueKind.String], ["num_resources"] = [JsonValueKind.Number], ["num_tags"] = [JsonValueKind.Number],
        ["resources"] = [JsonValueKind.Array], ["tags"] = [JsonValueKind.Array], ["extras"] = [JsonValueKind.Array], ["groups"] = [JsonValueKind.Array],
        ["license_id"] = [JsonValueKind.String, JsonValueKind.Null], ["isopen"] = [JsonValueKind.True, JsonValueKind.False],
        ["url"] = [JsonValueKind.String], ["author"] = [JsonValueKind.String, JsonValueKind.Null], ["maintainer"] = [JsonValueKind.String, JsonValueKind.Null],
    };

    static readonly Dictionary<string, JsonValueKind[]> ResourceShape = new()
    {
        ["id"] = [JsonValueKind.String], ["package_id"] = [JsonValueKind.String], ["name"] = [JsonValueKind.String], ["format"] = [JsonValueKind.String],
        ["url"] = [JsonValueKind.String], ["state"] = [JsonValueKind.String], ["position"] = [JsonValueKind.Number], ["mimetype"] = [JsonValueKind.String],
        ["datastore_active"] = [JsonValueKind.True, JsonValueKind.False], ["created"] = [JsonValueKind.String],
    };

    static readonly Dictionary<string, JsonValueKind[]> OrganizationShape = new()
    {
        ["id"] = [JsonValueKind.String], ["name"] = [JsonValueKind.String], ["title"] = [JsonValueKind.String], ["display_name"] = [JsonValueKind.String],
        ["type"] = [JsonValueKind.String], ["is_organization"] = [JsonValueKind.True], ["state"] = [JsonValueKind.String],
        ["package_count"] = [JsonValueKind.Number], ["created"] = [JsonValueKind.String], ["image_url"] = [JsonValueKind.String],
    };

    static readonly Dictionary<string, JsonValueKind[]> TagShape = new()
    {
        ["id"] = [JsonValueKind.String], ["name"] = [JsonValueKind.String], ["display_name"] = [JsonValueKind.String], ["state"] = [JsonValueKind.String],
        ["vocabulary_id"] = [JsonValueKind.String, JsonValueKind.Null],
    };

    // package_search: "count (int), results (list of dictized datasets), facets (DEPRECATED dict), search_facets (dict)", and the sort it used.
    static readonly Dictionary<string, JsonValueKind[]> SearchShape = new()
    {
        ["count"] = [JsonValueKind.Number], ["results"] = [JsonValueKind.Array], ["facets"] = [JsonValueKind.Object],
        ["search_facets"] = [JsonValueKind.Object], ["sort"] = [JsonValueKind.String],
    };

    static readonly Dictionary<string, JsonValueKind[]> SearchFacetShape = new() { ["title"] = [JsonValueKind.String], ["items"] = [JsonValueKind.Array] };

    static readonly Dictionary<string, JsonValueKind[]> FacetItemShape = new()
    {
        ["name"] = [JsonValueKind.String], ["display_name"] = [JsonValueKind.String], ["count"] = [JsonValueKind.Number],
    };

    // datastore_search: "fields (list of dicts), offset (int), limit (int), filters, total (int), total_was_estimated (bool), records (list)",
    // and what CKAN's answers also carry: resource_id, _links {start, next}, include_total, records_format.
    static readonly Dictionary<string, JsonValueKind[]> DatastoreShape = new()
    {
        ["resource_id"] = [JsonValueKind.String], ["fields"] = [JsonValueKind.Array], ["records"] = [JsonValueKind.Array],
        ["offset"] = [JsonValueKind.Number], ["limit"] = [JsonValueKind.Number], ["filters"] = [JsonValueKind.Object], ["total"] = [JsonValueKind.Number],
        ["total_was_estimated"] = [JsonValueKind.False], ["_links"] = [JsonValueKind.Object], ["include_total"] = [JsonValueKind.True],
        ["records_format"] = [JsonValueKind.String],
    };

    static readonly Dictionary<string, JsonValueKind[]> DatastoreFieldShape = new() { ["id"] = [JsonValueKind.String], ["type"] = [JsonValueKind.String] };

    static readonly Dictionary<string, JsonValueKind[]> LinksShape = new() { ["start"] = [JsonValueKind.String], ["next"] = [JsonValueKind.String] };

    // ckan/views/api.py: {help, success: false, error: {__type, message}} and no result; a validation error also names each field with a list of messages.
    static readonly Dictionary<string, JsonValueKind[]> ErrorEnvelopeShape = new()
    {
        ["help"] = [JsonValueKind.String], ["success"] = [JsonValueKind.False], ["error"] = [JsonValueKind.Object],
    };

    static readonly Dictionary<string, JsonValueKind[]> ErrorShape = new() { ["__type"] = [JsonValueKind.String], ["message"] = [JsonValueKind.String] };

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _bed = await PullTestBed.StartAsync("ckan");
        await _bed.PublishAsync(new { id = "a1", name = "Ann", city = "Guangzhou", age = 30 }, new { id = "a2", name = "Bo", city = "Shenzhen", age = 40 }, new { id = "a3", name = "Cy", city = "Guangzhou", age = 50 });
        await _bed.RegisterAsync("own.second");
        _consumer = await _bed.NewConsumerAsync("ckan-con");
        await _bed.SubscribeAsync(_consumer, new { fields = new[] { "id", "name", "city" }, masks = new { name = new { type = "partial", keepLast = 1 } } });
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _bed.DisposeAsync();

    async Task<JsonNode> ActionAsync(string action, string query = "", HttpStatusCode expected = HttpStatusCode.OK, bool ckanHeader = false)
    {
        using var http = _bed.Anonymous();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/3/action/{action}{(query.Length > 0 ? "?" + query : "")}");
        // CKAN clients send the bare key.
        request.Headers.TryAddWithoutValidation("Authorization", ckanHeader ? _consumer.Key : "Bearer " + _consumer.Key);
        using var response = await http.SendAsync(request);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.That(response.StatusCode, Is.EqualTo(expected), body.ToJsonString());
        Assert.That(body["help"]!.GetValue<string>(), Does.Contain("/api/3/action/help_show?name=" + action));
        Assert.That(body["success"]!.GetValue<bool>(), Is.EqualTo(expected == HttpStatusCode.OK));
        return expected == HttpStatusCode.OK ? body["result"]! : body["error"]!;
    }

    static void AssertShape(JsonNode node, Dictionary<string, JsonValueKind[]> shape, string what)
    {
        foreach (var (name, kinds) in shape)
        {
            Assert.That(node.AsObject().ContainsKey(name), Is.True, $"{what} has {name}");
            Assert.That(kinds, Does.Contain(node[name]?.GetValueKind() ?? JsonValueKind.Null), $"{what}.{name}");
        }
    }

    static void AssertStrings(JsonNode node, string what) =>
        Assert.That(node.AsArray().Select(n => n!.GetValueKind()), Is.All.EqualTo(JsonValueKind.String), $"{what} is a list of names");

    [Test]
    public async Task PackageList_IsAListOfNames_PagedByLimitAndOffset()
    {
        var all = await ActionAsync("package_list");
        AssertStrings(all, "package_list");
        Assert.That((await ActionAsync("package_list", "limit=1&offset=1")).AsArray().Select(n => n!.GetValue<string>()), Is.EqualTo(new[] { "own.second" }));
    }

    [Test]
    public async Task PackageSearch_HasCkansResultShape_DownToItsFacetItems()
    {
        var result = await ActionAsync("package_search", "q=*:*&facet.field=%5B%22tags%22,%22organization%22,%22license_id%22,%22res_format%22%5D&rows=5");
        AssertShape(result, SearchShape, "package_search");
        foreach (var package in result["results"]!.AsArray())
        {
            AssertShape(package!, PackageShape, "package_search result");
            foreach (var tag in package!["tags"]!.AsArray()) AssertShape(tag!, TagShape, "tag");
            foreach (var resource in package["resources"]!.AsArray()) AssertShape(resource!, ResourceShape, "resource");
        }
        foreach (var (name, facet) in result["search_facets"]!.AsObject())
        {
            AssertShape(facet!, SearchFacetShape, "search_facets." + name);
            foreach (var item in facet!["items"]!.AsArray()) AssertShape(item!, FacetItemShape, $"search_facets.{name}.items");
            Assert.That(result["facets"]![name]!.AsObject().Select(f => f.Value!.GetValueKind()), Is.All.EqualTo(JsonValueKind.Number), $"facets.{name}: value → count");
        }
        Assert.That(result["search_facets"]!.AsObject().Select(f => f.Key), Is.EquivalentTo(new[] { "tags", "organization", "license_id", "res_format" }));
    }

    [Test]
    public async Task DatastoreSearch_HasCkansResultShape()
    {
        var result = await ActionAsync("datastore_search", "resource_id=own.people&filters=%7B%22city%22:%22Shenzhen%22%7D&limit=5");
        AssertShape(result, DatastoreShape, "datastore_search");
        foreach (var field in result["fields"]!.AsArray()) AssertShape(field!, DatastoreFieldShape, "field");
        AssertShape(result["_links"]!, LinksShape, "_links");
        Assert.That(result["records"]!.AsArray().Select(r => r!.GetValueKind()), Is.All.EqualTo(JsonValueKind.Object), "records_format objects");
    }

    /// <summary>Each action, asked wrongly, answers CKAN's error envelope with CKAN's status and error type.</summary>
    [TestCase("package_list", "limit=many", HttpStatusCode.Conflict, "Validation Error", "limit")]
    [TestCase("package_show", "", HttpStatusCode.Conflict, "Validation Error", "id")]
    [TestCase("package_show", "id=own.nothing", HttpStatusCode.NotFound, "Not Found Error", null)]
    [TestCase("package_search", "sort=colour%20asc", HttpStatusCode.Conflict, "Validation Error", "sort")]
    [TestCase("package_search", "rows=ten", HttpStatusCode.Conflict, "Validation Error", "rows")]
    [TestCase("organization_list", "offset=first", HttpStatusCode.Conflict, "Validation Error", "offset")]
    [TestCase("organization_show", "", HttpStatusCode.Conflict, "Validation Error", "id")]
    [TestCase("organization_show", "id=nobody", HttpStatusCode.NotFound, "Not Found Error", null)]
    [TestCase("datastore_search", "", HttpStatusCode.Conflict, "Validation Error", "resource_id")]
    [TestCase("datastore_search", "resource_id=own.nothing", HttpStatusCode.NotFound, "Not Found Error", null)]
    [TestCase("datastore_search", "resource_id=own.people&filters=%5B1%5D", HttpStatusCode.Conflict, "Validation Error", "filters")]
    public async Task EachAction_AnswersCkansErrorEnvelope(string action, string query, HttpStatusCode status, string type, string? field)
    {
        using var http = _bed.Anonymous();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/3/action/{action}{(query.Length > 0 ? "?" + query : "")}");
        request.Headers.TryAddWithoutValidation("Authorization", _consumer.Key);
        using var response = await http.SendAsync(request);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.That(response.StatusCode, Is.EqualTo(status), body.ToJsonString());
        Assert.That(response.Content.Headers.ContentType!.MediaType, Is.EqualTo("application/json"));
        AssertShape(body, ErrorEnvelopeShape, "envelope");
        Assert.That(body.AsObject().ContainsKey("result"), Is.False, "an error has no result");
        AssertShape(body["error"]!, ErrorShape, "error");
        Assert.That(body["error"]!["__type"]!.GetValue<string>(), Is.EqualTo(type));
        if (field is not null)
            Assert.That(body["error"]![field]!.AsArray().Select(m => m!.GetValueKind()), Is.EqualTo(new[] { JsonValueKind.String }), $"error.{field}: a list of messages, as CKAN names invalid fields");
    }

    [Test]
    public async Task PackageList_NamesTheDatasets_WithCkansRawKeyHeader() =>
        Assert.That((await ActionAsync("package_list", ckanHeader: true)).AsArray().Select(n => n!.GetValue<string>()), Is.EqualTo(new[] { "own.people", "own.second" }));

    [Test]
    public async Task PackageShow_IsACkanPackage_WithItsDatastoreResource()
    {
        var package = await ActionAsync("package_show", "id=own.people");
        AssertShape(package, PackageShape, "package");
        foreach (var resource in package["resources"]!.AsArray()) AssertShape(resource!, ResourceShape, "resource");
        Assert.That(package["resources"]!.AsArray().Single(r => r!["datastore_active"]!.GetValue<bool>())!["id"]!.GetValue<string>(), Is.EqualTo("own.people"));
        Assert.That(package["tags"]![0]!["name"]!.GetValue<string>(), Is.EqualTo("test"));
        Assert.That(package["organization"]!["title"]!.GetValue<string>(), Is.EqualTo("Owner agency"));
        var missing = await ActionAsync("package_show", "id=own.nothing", HttpStatusCode.NotFound);
        Assert.That(missing["__type"]!.GetValue<string>(), Is.EqualTo("Not Found Error"));
    }

    [Test]
    public async Task PackageSearch_FiltersPagesSortsAndFacets()
    {
        var all = await ActionAsync("package_search", "q=People&fq=tags:test%20organization:own&rows=1&start=1&sort=name%20desc&facet.field=%5B%22tags%22,%22organization%22%5D");
        Assert.That(all["count"]!.GetValue<int>(), Is.EqualTo(2));
        Assert.That(all["results"]!.AsArray().Select(r => r!["name"]!.GetValue<string>()), Is.EqualTo(new[] { "own.people" }), "name desc, second of two");
        AssertShape(all["results"]![0]!, PackageShape, "search result");
        Assert.That(all["facets"]!["tags"]!["test"]!.GetValue<int>(), Is.EqualTo(2));
        Assert.That(all["search_facets"]!["organization"]!["items"]![0]!["display_name"]!.GetValue<string>(), Is.EqualTo("Owner agency"));
        Assert.That((await ActionAsync("package_search", "fq=tags:nothing"))["count"]!.GetValue<int>(), Is.Zero);
        Assert.That((await ActionAsync("package_search", "fq=groups:x", HttpStatusCode.Conflict))["__type"]!.GetValue<string>(), Is.EqualTo("Validation Error"));
    }

    [Test]
    public async Task OrganizationListAndShow_AreCkanOrganizations()
    {
        var list = await ActionAsync("organization_list");
        AssertStrings(list, "organization_list");
        var names = list.AsArray().Select(n => n!.GetValue<string>()).ToList();
        Assert.That(names, Does.Contain("own").And.Contain("ckan-con"));
        Assert.That((await ActionAsync("organization_list", "limit=1&offset=1")).AsArray().Select(n => n!.GetValue<string>()), Is.EqualTo(names.Skip(1).Take(1)));
        foreach (var organization in (await ActionAsync("organization_list", "all_fields=true")).AsArray()) AssertShape(organization!, OrganizationShape, "organization");
        var own = await ActionAsync("organization_show", "id=own&include_datasets=true");
        AssertShape(own, OrganizationShape, "organization_show");
        Assert.That(own["package_count"]!.GetValue<int>(), Is.EqualTo(2));
        Assert.That(own["packages"]!.AsArray(), Has.Count.EqualTo(2));
    }

    [Test]
    public async Task DatastoreSearch_ServesPolicyShapedRecords_FilteredAndPaged_AndIsAudited()
    {
        async Task<int> PullsAsync() => (await _bed.Admin.GetAsync("/api/v1/audit/entries?agency=ckan-con&action=records-pulled&limit=1000"))["items"]!.AsArray().Count;
        var pullsBefore = await PullsAsync();
        var result = await ActionAsync("datastore_search", "resource_id=own.people&filters=%7B%22city%22:%22Guangzhou%22%7D&limit=1&offset=1");
        Assert.That(result["total"]!.GetValue<int>(), Is.EqualTo(2));
        var record = result["records"]!.AsArray().Single()!;
        Assert.That(JsonNode.DeepEquals(record, JsonNode.Parse("""{"id":"a3","name":"*y","city":"Guangzhou"}""")), Is.True, record.ToJsonString());
        Assert.That(result["fields"]!.AsArray().Select(f => $"{f!["id"]}:{f["type"]}"), Is.EquivalentTo(new[] { "id:text", "name:text", "city:text" }));
        Assert.That((result["limit"]!.GetValue<int>(), result["offset"]!.GetValue<int>(), result["_links"]!["next"]!.GetValueKind()), Is.EqualTo((1, 1, JsonValueKind.String)));
        var q = await ActionAsync("datastore_search", "resource_id=own.people&q=shen&fields=id");
        Assert.That(q["records"]!.AsArray().Select(r => r!.ToJsonString()), Is.EqualTo(new[] { """{"id":"a2"}""" }));
        var hidden = await ActionAsync("datastore_search", "resource_id=own.people&filters=%7B%22age%22:40%7D");
        Assert.That(hidden["total"]!.GetValue<int>(), Is.Zero, "a field the policy hides cannot be filtered on");

        Assert.That(await PullsAsync() - pullsBefore, Is.EqualTo(3), "each datastore_search read the records as an audited pull");

        var stranger = await _bed.NewConsumerAsync("ckan-stranger");
        using var http = _bed.Anonymous();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/3/action/datastore_search") { Content = JsonContent.Create(new { resource_id = "own.people" }) };
        request.Headers.TryAddWithoutValidation("Authorization", stranger.Key);
        using var refused = await http.SendAsync(request);
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(JsonNode.Parse(await refused.Content.ReadAsStringAsync())!["error"]!["__type"]!.GetValue<string>(), Is.EqualTo("Authorization Error"));
    }

    [Test]
    public async Task XCkanApiKey_IsTheSameKey_UnderTheSamePolicy_AndAnUnknownOneIs401()
    {
        using var http = _bed.Anonymous();
        foreach (var (key, expected) in new[] { (_consumer.Key!, HttpStatusCode.OK), ("dx_not_a_key", HttpStatusCode.Unauthorized) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/3/action/datastore_search?resource_id=own.people&limit=1");
            request.Headers.TryAddWithoutValidation("X-CKAN-API-Key", key);
            using var response = await http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            Assert.That(response.StatusCode, Is.EqualTo(expected), text);
            if (expected == HttpStatusCode.OK)
                Assert.That(JsonNode.DeepEquals(JsonNode.Parse(text)!["result"]!["records"]![0], JsonNode.Parse("""{"id":"a1","name":"**n","city":"Guangzhou"}""")), Is.True,
                    "the consumer's policy: three fields, name masked: " + text);
        }
    }

    [Test]
    public async Task WithoutAKey_OnlyThePublicCatalogue_AndAnInvalidKeyIs401()
    {
        using var http = _bed.Anonymous();
        var list = JsonNode.Parse(await http.GetStringAsync("/api/3/action/package_list"))!["result"]!.AsArray().Select(n => n!.GetValue<string>());
        Assert.That(list, Is.EqualTo(new[] { "own.people", "own.second" }), "both are public");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/3/action/package_list");
        request.Headers.TryAddWithoutValidation("Authorization", "dx_not_a_key");
        Assert.That((await http.SendAsync(request)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That((await http.GetAsync("/api/3/action/datastore_search?resource_id=own.people")).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), "public but not open");
    }
}
