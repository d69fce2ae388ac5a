using System.Net;
using System.Text.Json.Nodes;
using DataExchange.Core.Audit;
using DataExchange.Core.Common;
using DataExchange.Core.Datasets;
using DataExchange.Core.Datasets.Compatibility;
using DataExchange.Core.Ingestion;
using DataExchange.Core.Pull;
using DataExchange.Core.Subscriptions;
using DataExchange.Core.Subscriptions.Notifications;
using DataExchange.IntegrationTests.Hosting;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Pull;

/// <summary>
/// Issue 17: a document that generates clean clients — integers are integers, enums are enums, the
/// policy, manifest, feed and schema bodies are typed from schemas/*.schema.json, records are open
/// objects, each success response has one media type, and the server URL is absolute.
/// </summary>
public sealed partial class OpenApiDocumentTests
{
    JsonObject Components => _document["components"]!["schemas"]!.AsObject();

    JsonObject Component(string name) => Components[name]?.AsObject() ?? throw new AssertionException($"no component {name}");

    static IEnumerable<JsonObject> Subschemas(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                yield return o;
                foreach (var (_, child) in o)
                    foreach (var s in Subschemas(child)) yield return s;
                break;
            case JsonArray a:
                foreach (var child in a)
                    foreach (var s in Subschemas(child)) yield return s;
                break;
        }
    }

    static IEnumerable<string> Types(JsonObject schema) => schema["type"] switch
    {
        JsonValue v when v.TryGetValue<string>(out var t) => [t],
        JsonArray a => a.Select(t => t!.GetValue<string>()),
        _ => [],
    };

    [Test]
    public void Numbers_AreTypedAsNumbers_WithoutStringAlternativesPatternsOrStringDefaults()
    {
        var numeric = Subschemas(_document).Where(s => Types(s).Any(t => t is "integer" or "number")).ToList();
        Assert.That(numeric, Has.Count.GreaterThan(40), "the document has its numbers");
        // A JSON value of several types (a policy filter's `equals`) may be a number or a string; an integer is only an integer.
        var wrong = numeric.Where(s => Types(s).Contains("integer") && Types(s).Contains("string") || s.ContainsKey("pattern") || s["default"] is JsonValue d && d.GetValueKind() == System.Text.Json.JsonValueKind.String)
            .Select(s => s.ToJsonString()).ToList();
        Assert.That(wrong, Is.Empty);
    }

    static IEnumerable<TestCaseData> EnumCases()
    {
        string[] outcomes = [.. Enum.GetValues<AuditOutcome>().Select(AuditNames.Of)];
        yield return new TestCaseData("Dataset", "classification", Classification.All.ToArray());
        yield return new TestCaseData("Dataset", "compatibility", SchemaCompatibility.Modes.ToArray());
        yield return new TestCaseData("Subscription", "status", SubscriptionStatus.All.ToArray());
        yield return new TestCaseData("RunInfo", "status", RunNames.Statuses.ToArray());
        yield return new TestCaseData("RunInfo", "trigger", RunNames.Triggers.ToArray());
        yield return new TestCaseData("Me", "roles", Role.All.Order(StringComparer.Ordinal).ToArray());
        yield return new TestCaseData("IssueKeyRequest", "roles", Role.All.Order(StringComparer.Ordinal).ToArray());
        yield return new TestCaseData("ChangeItem", "op", new[] { Change.Insert, Change.Update, Change.Delete });
        yield return new TestCaseData("EntryBody", "outcome", outcomes);
        yield return new TestCaseData("EntryBody", "action", Enum.GetValues<AuditAction>().Select(AuditNames.Of).ToArray());
        yield return new TestCaseData("WebhookDelivery", "status", DeliveryStatus.All.ToArray());
        yield return new TestCaseData("FeedDefinition", "format", new[] { "csv", "json", "ndjson" });
    }

    /// <summary>The enum values of <paramref name="schema"/> (or of its items), following one $ref.</summary>
    string[] EnumOf(JsonNode schema)
    {
        if (schema["items"] is { } items) return EnumOf(items);
        if (schema["$ref"]?.GetValue<string>() is { } reference) return EnumOf(Component(reference.Split('/')[^1]));
        if (schema["oneOf"] is JsonArray oneOf) return [.. oneOf.SelectMany(s => EnumOf(s!))];
        // An optional enum may be null: generated clients send null for a value they leave unset.
        return schema["enum"]?.AsArray().OfType<JsonNode>().Select(v => v.GetValue<string>()).ToArray() ?? [];
    }

    [TestCaseSource(nameof(EnumCases))]
    public void StatusesRolesFormatsAndOutcomes_AreEnums(string component, string property, string[] values) =>
        Assert.That(EnumOf(Component(component)["properties"]![property]!), Is.EquivalentTo(values), $"{component}.{property}");

    [TestCase("/api/v1/subscriptions", "status")]
    [TestCase("/api/v1/datasets", "classification")]
    [TestCase("/api/v1/audit/entries", "outcome")]
    [TestCase("/api/v1/audit/entries", "action")]
    [TestCase("/api/v1/audit/entries/export", "format")]
    public void EnumQueryParameters_AreEnums(string path, string name)
    {
        var parameter = _document["paths"]![path]!["get"]!["parameters"]!.AsArray().First(p => p!["name"]!.GetValue<string>() == name)!;
        Assert.That(EnumOf(parameter["schema"]!), Is.Not.Empty, $"{path} ?{name}");
    }

    // A nullable reference (`oneOf: [{type: null}, {$ref}]`) is its reference: the API omits nulls.
    static string Ref(JsonNode? schema) => schema?["$ref"]?.GetValue<string>()
        ?? (schema?["oneOf"] is JsonArray { Count: 2 } one && one.Any(s => s!["type"]?.ToString() == "null") ? Ref(one.First(s => s!["type"]?.ToString() != "null")) : null)
        ?? schema?.ToJsonString() ?? "(absent)";

    // Any value: `additionalProperties: true`, or `{}`, which is the same schema (Microsoft.OpenApi writes the latter).
    static bool Open(JsonNode? additional) => additional is JsonObject { Count: 0 } || additional is JsonValue v && v.GetValue<bool>();

    [TestCase("ApprovalRequest", "policy", "AccessPolicy")]
    [TestCase("AutoApprovalRequest", "policy", "AccessPolicy")]
    [TestCase("AutoApproval", "policy", "AccessPolicy")]
    [TestCase("Subscription", "policy", "AccessPolicy")]
    [TestCase("AccessExplanation", "policy", "PolicySummary")]
    [TestCase("RegisterDatasetRequest", "feed", "FeedDefinition")]
    [TestCase("RegisterDatasetRequest", "schema", "RecordSchema")]
    [TestCase("FrictionlessImportRequest", "feed", "FeedDefinition")]
    [TestCase("SchemaVersionInfo", "schema", "RecordSchema")]
    [TestCase("Dataset", "feed", "FeedDefinition")]
    public void PolicyFeedAndSchemaMembers_ReferTheirTypedComponents(string component, string property, string target) =>
        Assert.That(Ref(Component(component)["properties"]![property]), Is.EqualTo("#/components/schemas/" + target));

    [TestCase("post", "/api/v1/datasets/{datasetId}/schemas", "RecordSchema")]
    [TestCase("post", "/api/v1/datasets/{datasetId}/schemas/compatibility", "RecordSchema")]
    [TestCase("post", "/api/v1/datasets", "RegisterDatasetRequest")]
    [TestCase("put", "/api/v1/datasets/{datasetId}/metadata", "DatasetMetadataUpdate")]
    public void RequestBodies_ReferTheirTypedComponents(string method, string path, string target) =>
        Assert.That(Ref(_document["paths"]![path]![method]!["requestBody"]!["content"]!["application/json"]!["schema"]), Is.EqualTo("#/components/schemas/" + target));

    static JsonObject ExchangeSchema(string name) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(Samples.RepositoryRoot, "schemas", name + ".schema.json")))!.AsObject();

    [TestCase("AccessPolicy", DocumentSchemas.AccessPolicy)]
    [TestCase("FeedDefinition", DocumentSchemas.FeedDefinition)]
    [TestCase("RegisterDatasetRequest", DocumentSchemas.DatasetManifest)]
    public void TypedComponents_HaveTheMembersAndRulesOfTheExchangesSchemas(string component, string file)
    {
        var source = ExchangeSchema(file);
        var schema = Component(component);
        // The API takes the record schema inline: the manifest's file-only members are not API members.
        var expected = source["properties"]!.AsObject().Select(p => p.Key).Except(["$schema", "schemaFile"]);
        Assert.That(schema["properties"]!.AsObject().Select(p => p.Key), Is.EquivalentTo(expected));
        Assert.That(schema["required"]?.AsArray().Select(r => r!.GetValue<string>()) ?? [], Is.EquivalentTo(source["required"]?.AsArray().Select(r => r!.GetValue<string>()) ?? []));
        Assert.That(schema["additionalProperties"]?.GetValue<bool>(), Is.False, "closed like the server");
        foreach (var (name, member) in source["properties"]!.AsObject().Where(p => p.Value!["enum"] is not null))
            Assert.That(EnumOf(schema["properties"]![name]!), Is.EquivalentTo(member!["enum"]!.AsArray().Select(v => v!.GetValue<string>())), $"{component}.{name}");
    }

    [Test]
    public void AccessPolicy_KeepsItsNestedRules()
    {
        var policy = Component("AccessPolicy");
        Assert.That(policy["properties"]!["fields"]!["items"]!["type"]!.GetValue<string>(), Is.EqualTo("string"));
        Assert.That(Types(policy["properties"]!["dailyRowQuota"]!.AsObject()), Is.EquivalentTo(new[] { "integer", "null" }), "optional, so a client may send null for unset");
        Assert.That(Ref(policy["properties"]!["masks"]!["additionalProperties"]!["oneOf"]![0]), Is.EqualTo("#/components/schemas/AccessMask"), "the served form first");
        Assert.That(Ref(policy["properties"]!["filters"]!["items"]), Is.EqualTo("#/components/schemas/RowFilter"));
        Assert.That(Component("RowFilter")["properties"]!.AsObject().Select(p => p.Key), Is.EquivalentTo(new[] { "field", "equals", "in", "range" }));
        Assert.That(Component("AccessMask")["properties"]!.AsObject().Select(p => p.Key), Is.EquivalentTo(new[] { "type", "keepLast" }));
    }

    [Test]
    public void Records_AreOpenObjects()
    {
        var record = Component("Record");
        Assert.That((Types(record).Single(), Open(record["additionalProperties"])), Is.EqualTo(("object", true)));
        Assert.That(Ref(Component("RecordPageBody")["properties"]!["items"]!["items"]), Is.EqualTo("#/components/schemas/Record"));
        Assert.That(Ref(Component("ChangeItem")["properties"]!["record"]), Is.EqualTo("#/components/schemas/Record"));
    }

    [Test]
    public void EverySuccessResponse_HasOneMediaType_AndStreamsHaveTheirOwnOperations()
    {
        var mixed = (from op in Operations()
                     from r in op.Op["responses"]!.AsObject().Where(r => r.Key.StartsWith('2'))
                     let content = r.Value!["content"]?.AsObject().ToList() ?? []
                     let types = content.Select(c => c.Key).ToList()
                     // One stream in several text formats is still one type to a generator (the audit export).
                     where types.Count > 1 && !content.All(c => c.Value!["schema"]?["format"]?.GetValue<string>() == "binary")
                     select $"{op.Method} {op.Path} {r.Key}: {string.Join(", ", types)}").ToList();
        Assert.That(mixed, Is.Empty);
        foreach (var (path, mediaType) in new[]
        {
            ("/api/v1/datasets/{datasetId}/records", "application/json"), ("/api/v1/datasets/{datasetId}/records.ndjson", "application/x-ndjson"),
            ("/api/v1/datasets/{datasetId}/records.csv", "text/csv"), ("/api/v1/datasets/{datasetId}/changes", "application/json"),
            ("/api/v1/datasets/{datasetId}/changes.ndjson", "application/x-ndjson"), ("/api/v1/datasets/{datasetId}/changes.csv", "text/csv"),
        })
        {
            var content = _document["paths"]![path]?["get"]?["responses"]?["200"]?["content"]?.AsObject();
            Assert.That(content?.Select(c => c.Key), Is.EqualTo(new[] { mediaType }), path);
            if (mediaType != "application/json")
                Assert.That(content![mediaType]!["schema"]!["format"]?.GetValue<string>(), Is.EqualTo("binary"), $"{path}: a stream, not a JSON string");
        }
    }

    [Test]
    public void Servers_IsTheAbsoluteUrlTheDocumentWasRequestedAt()
    {
        var url = _document["servers"]![0]!["url"]!.GetValue<string>();
        Assert.That(Uri.TryCreate(url, UriKind.Absolute, out var uri), Is.True, url);
        Assert.That(uri!.GetLeftPart(UriPartial.Authority), Is.EqualTo(_bed.Admin.Http.BaseAddress!.GetLeftPart(UriPartial.Authority)));
    }

    [Test]
    public async Task StreamOperations_ServeWhatTheRecordsAndChangesListsServeByAccept()
    {
        await _bed.PublishAsync(new { id = "s1", name = "S1", age = 1 }, new { id = "s2", name = "=S2", age = 2 });
        foreach (var (list, suffix, mediaType) in new[] { ("records", "ndjson", "application/x-ndjson"), ("records", "csv", "text/csv"), ("changes", "ndjson", "application/x-ndjson"), ("changes", "csv", "text/csv") })
        {
            var own = $"/api/v1/datasets/{PullTestBed.DatasetId}/{list}";
            using var negotiated = new HttpRequestMessage(HttpMethod.Get, own);
            negotiated.Headers.Accept.ParseAdd(mediaType);
            using var byAccept = await _bed.Steward.Http.SendAsync(negotiated);
            using var byPath = await _bed.Steward.GetRawAsync($"{own}.{suffix}");
            Assert.That(byPath.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"{list}.{suffix}");
            Assert.That(byPath.Content.Headers.ContentType!.MediaType, Is.EqualTo(mediaType));
            var text = await byPath.Content.ReadAsStringAsync();
            Assert.That(text, Is.EqualTo(await byAccept.Content.ReadAsStringAsync()).And.Contain("s2"), $"{list}.{suffix}");
        }
    }
}
