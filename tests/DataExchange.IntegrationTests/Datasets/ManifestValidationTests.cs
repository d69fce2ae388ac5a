using System.Net;
using System.Text.Json.Nodes;
using DataExchange.Core.Common;
using DataExchange.IntegrationTests.Hosting;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Datasets;

/// <summary>
/// Issue 18, item 6: a bad manifest was refused one problem at a time (four submissions for five problems), and a
/// member of the wrong type answered with .NET's converter message ("could not be converted to
/// System.Collections.Generic.IReadOnlyList`1[System.String]"). The manifest as sent is held against
/// schemas/dataset-manifest.schema.json and every problem comes back at once, each with its JSON Pointer.
/// </summary>
[TestFixture]
public sealed class ManifestValidationTests() : ExchangeFixture("manifests")
{
    ApiClient _steward = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _steward = await Admin.NewAgencyAsync("cn-env", "Environment bureau");
    }

    [Test]
    public async Task AManifestWithManyProblems_IsRefusedOnce_NamingEveryOne_WithoutDotNetInternals()
    {
        var manifest = JsonNode.Parse("""
            {
              "id": "cn-env.stations",
              "title": "Monitoring stations",
              "keyFields": "code",
              "classification": "secret",
              "tags": "air",
              "colour": "green",
              "schema": { "type": "object", "properties": { "code": { "type": "string", "dependentRequired": {} } } },
              "feed": { "source": "file:cn-env/stations.csv", "format": "xlsx", "cron": "every morning", "rejectThreshold": "ten percent" }
            }
            """)!;
        var (status, problem, response) = await _steward.SendAsync(HttpMethod.Post, "/api/v1/datasets", manifest);
        var text = problem?.ToJsonString() ?? "";
        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest), text);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        var pointers = problem!["errors"]!.AsArray().Select(e => e!["pointer"]!.GetValue<string>()).ToList();
        Assert.That(pointers, Is.SupersetOf(new[]
        {
            "/keyFields", "/classification", "/tags", "/colour", "/feed/format", "/feed/rejectThreshold", "/feed/cron", "/schema/properties/code/dependentRequired",
        }), text);
        Assert.That(text, Does.Not.Contain("System.").And.Not.Contain("DataExchange.").And.Not.Contain("`1").And.Not.Contain(".NET"), "no .NET type names");

        var none = await _steward.SendAsync(HttpMethod.Get, "/api/v1/datasets/cn-env.stations");
        Assert.That(none.Status, Is.EqualTo(HttpStatusCode.NotFound), "nothing was registered");
    }

    [Test]
    public async Task SchemaFile_SentToTheApi_IsRefusedWithItsPointer_AndSaysWhatToDo()
    {
        var (status, problem, _) = await _steward.SendAsync(HttpMethod.Post, "/api/v1/datasets", new
        {
            id = "cn-env.rivers", title = "Rivers", keyFields = new[] { "code" }, classification = "public",
            schemaFile = "rivers.schema.json", feed = new { source = "upload" },
        });
        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));
        var error = problem!["errors"]!.AsArray().Single(e => e!["pointer"]!.GetValue<string>() == "/schemaFile")!;
        Assert.That(error["message"]!.GetValue<string>(), Does.Contain("schema").And.Contain("dx datasets register"), problem.ToJsonString());
    }

    [Test]
    public async Task ATypeErrorOfAnotherRequest_NamesItsPointer_NotADotNetType()
    {
        var (status, problem, _) = await _steward.SendAsync(HttpMethod.Post, "/api/v1/subscriptions", new { datasetId = 42, purpose = true });
        var text = problem?.ToJsonString() ?? "";
        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest), text);
        Assert.That(text, Does.Not.Contain("System.").And.Not.Contain("DataExchange."), "no .NET type names");
        Assert.That(problem!["errors"]!.AsArray().Select(e => e!["pointer"]!.GetValue<string>()), Does.Contain("/datasetId"), text);
    }

    [Test]
    public void EverySampleManifest_FollowsTheManifestSchema()
    {
        var manifests = Directory.GetFiles(Samples.Path("datasets"), "*.json");
        Assert.That(manifests, Is.Not.Empty);
        foreach (var file in manifests)
        {
            var manifest = JsonNode.Parse(File.ReadAllText(file))!;
            var errors = DocumentSchemas.Errors(DocumentSchemas.DatasetManifest, manifest)
                .Concat(DocumentSchemas.Errors(DocumentSchemas.FeedDefinition, manifest["feed"]!, "/feed"));
            Assert.That(errors, Is.Empty, file);
        }
    }
}
