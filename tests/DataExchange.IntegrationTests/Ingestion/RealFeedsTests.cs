using System.Text.Json.Nodes;
using DataExchange.Core.Datasets.Frictionless;
using DataExchange.IntegrationTests.Hosting;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Ingestion;

/// <summary>Issue 4, acceptance: the real published feeds ingest with the expected counts under their converted Table Schemas.</summary>
[TestFixture]
public sealed class RealFeedsTests
{
    IngestionHarness _h = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        if (Samples.SharedData is null) Assert.Ignore("../shared/data is not present.");
        _h = await IngestionHarness.StartAsync("ingest_real");
    }

    [OneTimeTearDown]
    public void Stop() => _h?.Dispose();

    [TestCase("world-cities", "world-cities.csv", new string[0], 34_032)]
    [TestCase("population", "population.csv", new[] { "Country Code", "Year" }, 17_195)]
    public async Task RealFeed_IngestsEveryRecord_KeyedByItsNaturalKey(string package, string file, string[] keys, long expected)
    {
        var folder = Path.Combine(Samples.SharedData!, package);
        var converted = TableSchemaConverter.Convert(JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "datapackage.json")))!.AsObject(),
            keyFields: keys.Length == 0 ? null : keys);
        File.Copy(Path.Combine(folder, "data", file), _h.Factory.DropFile(IngestionHarness.Agency, file));
        var id = await _h.RegisterAsync(package, [.. converted.KeyFields], converted.Schema, new { source = $"file:{IngestionHarness.Agency}/{file}", format = "csv", cron = "0 3 * * *" });

        var run = await _h.RunAsync(id);
        Assert.Multiple(() =>
        {
            Assert.That(IngestionHarness.Status(run), Is.EqualTo("succeeded"), run.ToJsonString());
            Assert.That(IngestionHarness.Count(run, "read"), Is.EqualTo(expected));
            Assert.That(IngestionHarness.Count(run, "rejected"), Is.EqualTo(0));
            Assert.That(IngestionHarness.Count(run, "duplicate"), Is.EqualTo(0));
            Assert.That(IngestionHarness.Count(run, "inserted"), Is.EqualTo(expected));
        });
        Assert.That(IngestionHarness.Status(await _h.RunAsync(id)), Is.EqualTo("unchanged"), "same bytes: unchanged by SHA-256");
    }
}
