using DataExchange.Core.Common;
using DataExchange.Core.Datasets.Schemas;
using DataExchange.Core.Feeds;
using DataExchange.Core.Ingestion;
using NUnit.Framework;

namespace DataExchange.Core.Tests.Ingestion;

/// <summary>Issue 4, item 7: key normalisation and the incremental delete marker, record by record.</summary>
[TestFixture]
public sealed class RecordValidatorTests
{
    const string Schema = """
        {"type":"object","required":["code","name"],"additionalProperties":false,
         "properties":{"code":{"type":"string"},"name":{"type":"string","maxLength":5}}}
        """;

    static readonly string[] Header = ["code", "name", "deleted"];

    static async Task<RecordValidator> ValidatorAsync(bool caseInsensitive = false, string? marker = null) =>
        new(await DatasetSchema.LoadAsync(Schema, 1), ["code"], caseInsensitive, marker);

    [Test]
    public async Task Keys_AreTrimmed_AndCaseFoldedOnlyWhenTheFeedSaysSo()
    {
        var exact = await ValidatorAsync();
        var folded = await ValidatorAsync(caseInsensitive: true);
        var record = new SourceRecord(2, [" AbC ", "x"], null, " AbC ,x");
        Assert.Multiple(() =>
        {
            Assert.That(exact.Process(record, ["code", "name"]).Staged!.Value.Key, Is.EqualTo("AbC"));
            Assert.That(folded.Process(record, ["code", "name"]).Staged!.Value.Key, Is.EqualTo("abc"));
        });
    }

    [Test]
    public async Task MarkedRecord_NeedsOnlyItsKey_AndUnmarkedOnesLoseTheMarkerBeforeValidation()
    {
        var validator = await ValidatorAsync(marker: "deleted");
        var delete = validator.Process(new SourceRecord(2, ["A", "far too long", "true"], null, ""), Header);
        var keep = validator.Process(new SourceRecord(3, ["B", "ok", "false"], null, ""), Header);
        var keyless = validator.Process(new SourceRecord(4, ["", "", "yes"], null, ""), Header);
        Assert.Multiple(() =>
        {
            Assert.That(delete.Staged!.Value.Delete, Is.True);
            Assert.That(delete.Staged!.Value.Key, Is.EqualTo("A"));
            Assert.That(keep.Staged!.Value.Delete, Is.False);
            Assert.That(keep.Staged!.Value.Data, Is.EqualTo("{\"code\":\"B\",\"name\":\"ok\"}"), "additionalProperties:false still holds: the marker is gone");
            Assert.That(keyless.Quarantined!.Value.Errors.Select(e => e.Pointer), Does.Contain("/code"));
        });
    }

    [Test]
    public void DeleteMarker_OnASnapshotFeed_IsRefused()
    {
        var options = new FeedOptions();
        var hosts = new FeedHostList(Microsoft.Extensions.Options.Options.Create(options));
        var e = Assert.Throws<InvalidException>(() => FeedValidator.Normalise(
            new FeedDefinition { Source = "upload", Mode = "snapshot", DeleteMarker = "deleted" }, options, hosts, "gd-amr"));
        Assert.That(e!.Errors.Select(x => x.Pointer), Does.Contain("/feed/deleteMarker"));
        Assert.DoesNotThrow(() => FeedValidator.Normalise(new FeedDefinition { Source = "upload", Mode = "incremental", DeleteMarker = "deleted" }, options, hosts, "gd-amr"));
    }
}
