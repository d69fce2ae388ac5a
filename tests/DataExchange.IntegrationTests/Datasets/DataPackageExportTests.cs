using System.Net;
using System.Text.Json.Nodes;
using DataExchange.IntegrationTests.Pull;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Datasets;

/// <summary>
/// Issue 17: a published version as a Frictionless datapackage.json, the inverse of the import: importing the
/// exported package registers a dataset with the same fields, types, required members and key, and its CSV
/// resource is the version's records under the reader's policy.
/// </summary>
[TestFixture]
public sealed class DataPackageExportTests
{
    PullTestBed _bed = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _bed = await PullTestBed.StartAsync("datapackage");
        await _bed.PublishAsync(new { id = "d1", name = "Dee", age = 7, born = "2019-01-02" });
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _bed.DisposeAsync();

    [Test]
    public async Task ExportedPackage_ImportsBackToTheSameSchemaAndKey_AndLinksTheVersionsCsv()
    {
        var package = await _bed.Steward.GetAsync($"/api/v1/datasets/{PullTestBed.DatasetId}/versions/1/datapackage.json");
        var resource = package["resources"]![0]!;
        Assert.That(resource["schema"]!["primaryKey"]!.AsArray().Select(k => k!.GetValue<string>()), Is.EqualTo(new[] { "id" }));
        Assert.That(resource["schema"]!["fields"]!.AsArray().Select(f => $"{f!["name"]}:{f["type"]}"), Is.EqualTo(new[] { "id:string", "name:string", "phone:string", "city:string", "age:integer", "born:string" }));
        Assert.That(package["version"]!.GetValue<string>(), Is.EqualTo("1"));

        var csv = await _bed.Steward.GetRawAsync(new Uri(resource["path"]!.GetValue<string>()).PathAndQuery);
        Assert.That(csv.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await csv.Content.ReadAsStringAsync(), Does.Contain("d1").And.Contain("Dee"));

        var imported = await _bed.Steward.PostAsync("/api/v1/datasets/frictionless", new { id = "own.reimported", classification = "internal", feed = new { source = "upload" }, dataPackage = package });
        var original = (await _bed.Steward.GetAsync($"/api/v1/datasets/{PullTestBed.DatasetId}/schemas/1"))["schema"]!;
        var again = (await _bed.Steward.GetAsync("/api/v1/datasets/own.reimported/schemas/1"))["schema"]!;
        Assert.That(imported["keyFields"]!.AsArray().Select(k => k!.GetValue<string>()), Is.EqualTo(new[] { "id" }));
        Assert.That(again["required"]!.AsArray().Select(r => r!.GetValue<string>()), Is.EqualTo(original["required"]!.AsArray().Select(r => r!.GetValue<string>())));
        foreach (var (name, property) in original["properties"]!.AsObject())
        {
            var type = again["properties"]![name]!["type"]!;
            var types = type is JsonArray a ? a.Select(t => t!.GetValue<string>()).Where(t => t != "null") : [type.GetValue<string>()];
            Assert.That(types, Is.EqualTo(new[] { property!["type"]!.GetValue<string>() }), name);
        }
    }

    [Test]
    public async Task AVersionThatWasNotPublished_Is404() =>
        Assert.That((await _bed.Steward.SendAsync(HttpMethod.Get, $"/api/v1/datasets/{PullTestBed.DatasetId}/versions/9/datapackage.json")).Status, Is.EqualTo(HttpStatusCode.NotFound));
}
