using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using DataExchange.Core.Common;
using DataExchange.Core.Datasets.Schemas;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Pull;

/// <summary>
/// Issue 5: /openapi/v1.json describes every endpoint with bearer security, problem+json errors and
/// examples; request examples follow the exchange's own schemas (schemas/*.schema.json) and are
/// accepted by the server; Spectral's <c>oas3-valid-media-example</c> (an error in spectral:oas) holds
/// every example against the document's own schemas.
/// The document is linted with Spectral (<c>extends: ["spectral:oas"]</c>) and must report no errors:
/// <c>.ci/run</c> installs the pinned CLI into .ci/tools and sets DX_SPECTRAL; without it the lint is ignored.
/// </summary>
[TestFixture]
public sealed partial class OpenApiDocumentTests
{
    PullTestBed _bed = null!;
    JsonNode _document = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _bed = await PullTestBed.StartAsync("openapi");
        _document = await _bed.Admin.GetAsync("/openapi/v1.json");
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _bed.DisposeAsync();

    IEnumerable<(string Path, string Method, JsonObject Op)> Operations() =>
        from p in _document["paths"]!.AsObject()
        from m in p.Value!.AsObject()
        where p.Key.StartsWith("/api/v1", StringComparison.Ordinal)
        select (p.Key, m.Key, m.Value!.AsObject());

    [Test]
    public void Document_DeclaresTheBearerScheme() =>
        Assert.That(_document["components"]!["securitySchemes"]!["bearer"]!["scheme"]!.GetValue<string>(), Is.EqualTo("bearer"));

    [Test]
    public void EveryApiOperation_HasSecurityAndProblemResponses()
    {
        var ops = Operations().ToList();
        Assert.That(ops.Select(o => o.Path), Does.Contain("/api/v1/datasets/{datasetId}/records").And.Contain("/api/v1/datasets/{datasetId}/changes").And.Contain("/api/v1/datasets/{datasetId}/access"));
        foreach (var (path, method, op) in ops)
        {
            Assert.That(op["security"]!.AsArray(), Is.Not.Empty, $"{method} {path}");
            foreach (var status in new[] { "401", "403", "429" })
                Assert.That(op["responses"]![status]?["content"]?["application/problem+json"], Is.Not.Null, $"{method} {path} {status}");
        }
    }

    static JsonNode? Example(JsonNode? media) => media?["example"] ?? media?["examples"]?.AsObject().FirstOrDefault().Value?["value"];

    [Test]
    public void EveryApiOperation_HasExamplesOfItsSuccessResponsesAndJsonRequestBodies()
    {
        var missing = new List<string>();
        var (responses, bodies) = (0, 0);
        foreach (var (path, method, op) in Operations())
        {
            foreach (var (status, response) in op["responses"]!.AsObject().Where(r => r.Key.StartsWith('2')))
                foreach (var (mediaType, media) in response!["content"]?.AsObject() ?? [])
                {
                    responses++;
                    if (Example(media) is null) missing.Add($"{method} {path} {status} {mediaType}");
                }
            foreach (var (mediaType, media) in op["requestBody"]?["content"]?.AsObject().Where(c => c.Key.Contains("json", StringComparison.Ordinal)) ?? [])
            {
                bodies++;
                if (Example(media) is null) missing.Add($"{method} {path} request {mediaType}");
            }
        }
        Assert.That(missing, Is.Empty);
        Assert.That((responses, bodies), Is.GreaterThanOrEqualTo((40, 15)), "the document has the operations it should");
    }

    JsonNode RequestExample(string method, string path) =>
        Example(_document["paths"]![path]![method]!["requestBody"]!["content"]!["application/json"]) ?? throw new AssertionException($"{method} {path} has no example");

    [TestCase("post", "/api/v1/datasets", DocumentSchemas.DatasetManifest, "")]
    [TestCase("post", "/api/v1/datasets", DocumentSchemas.FeedDefinition, "feed")]
    [TestCase("post", "/api/v1/datasets/frictionless", DocumentSchemas.FeedDefinition, "feed")]
    [TestCase("post", "/api/v1/subscriptions/{subscriptionId}/approval", DocumentSchemas.AccessPolicy, "policy")]
    [TestCase("put", "/api/v1/datasets/{datasetId}/auto-approval", DocumentSchemas.AccessPolicy, "policy")]
    [TestCase("put", "/api/v1/datasets/{datasetId}/metadata", DocumentSchemas.DatasetMetadataUpdate, "")]
    public void RequestBodyExamples_FollowTheExchangesOwnSchemas(string method, string path, string schema, string member)
    {
        var example = RequestExample(method, path);
        var document = member.Length == 0 ? example : example[member] ?? throw new AssertionException($"the example has no {member}");
        Assert.That(DocumentSchemas.Errors(schema, document).Select(e => $"{e.Pointer} {e.Message}"), Is.Empty);
    }

    [TestCase("/api/v1/datasets")]
    [TestCase("/api/v1/datasets/{datasetId}/schemas")]
    [TestCase("/api/v1/datasets/{datasetId}/schemas/compatibility")]
    public async Task RecordSchemaExamples_AreSchemasTheExchangeCanEnforce(string path)
    {
        var example = RequestExample("post", path);
        var schema = path == "/api/v1/datasets" ? example["schema"]! : example;
        var loaded = await DatasetSchema.LoadAsync(schema.ToJsonString(), 1);
        Assert.That(loaded.PropertyNames, Does.Contain("uscc"));
    }

    [Test]
    public async Task DatasetManifestExample_IsRegisteredByTheServer()
    {
        await _bed.Admin.PostAsync("/api/v1/agencies", new { code = "gd-amr", name = "Guangdong AMR" });
        var steward = await _bed.KeyAsync("gd-amr", "steward");
        var (status, body, _) = await steward.SendAsync(HttpMethod.Post, "/api/v1/datasets", RequestExample("post", "/api/v1/datasets"));
        Assert.That(status, Is.EqualTo(HttpStatusCode.Created), body?.ToJsonString());
        Assert.That(body!["id"]!.GetValue<string>(), Is.EqualTo("gd-amr.business-licences"));
    }

    [Test]
    public async Task Spectral_ReportsNoErrors_WhenAvailable()
    {
        var spectral = Environment.GetEnvironmentVariable("DX_SPECTRAL");
        if (string.IsNullOrEmpty(spectral) || !File.Exists(spectral)) Assert.Ignore("Spectral not found: run .ci/run (installs @stoplight/spectral-cli into .ci/tools) or set DX_SPECTRAL to a spectral CLI.");
        var dir = Directory.CreateTempSubdirectory("dx-openapi-").FullName;
        await File.WriteAllTextAsync(Path.Combine(dir, "openapi.json"), _document.ToJsonString());
        await File.WriteAllTextAsync(Path.Combine(dir, ".spectral.yaml"), "extends: [\"spectral:oas\"]\n");
        var psi = new ProcessStartInfo(spectral, "lint openapi.json --fail-severity error") { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(psi)!;
        var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Directory.Delete(dir, true);
        Assert.That(process.ExitCode, Is.Zero, output);
    }
}
