using DataExchange.IntegrationTests.Pull;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Catalogue;

/// <summary>Issue 5: any authenticated agency sees a dataset's schema versions, freshness and quality.</summary>
[TestFixture]
public sealed class CatalogueEntryTests
{
    [Test]
    public async Task Entry_ShowsSchemaVersionsLatestVersionFreshnessAndRejectedShare_ToAnotherAgency()
    {
        await using var bed = await PullTestBed.StartAsync("catalogue");
        // 1 bad row in 20: under the default reject threshold, so the run publishes.
        await bed.PublishAsync([.. Enumerable.Range(0, 20).Select(i => i == 7 ? (object)new { id = "k7", age = "not a number" } : new { id = $"k{i}", age = i })]);
        bed.Clock.Advance(TimeSpan.FromMinutes(5));
        var stranger = await bed.NewConsumerAsync("cat");
        var entry = await stranger.GetAsync($"/api/v1/catalogue/{PullTestBed.DatasetId}");
        Assert.Multiple(() =>
        {
            Assert.That(entry["dataset"]!["id"]!.GetValue<string>(), Is.EqualTo(PullTestBed.DatasetId));
            Assert.That(entry["schemaVersions"]!.AsArray(), Has.Count.EqualTo(1));
            Assert.That(entry["latestVersion"]!.GetValue<int>(), Is.EqualTo(1));
            Assert.That(entry["rows"]!.GetValue<long>(), Is.EqualTo(19));
            Assert.That(entry["ageSeconds"]!.GetValue<double>(), Is.GreaterThanOrEqualTo(300));
            Assert.That(entry["lastRun"]!["rejectedShare"]!.GetValue<double>(), Is.EqualTo(0.05));
        });
    }
}
