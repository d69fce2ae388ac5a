using System.Text.Json.Nodes;
using DataExchange.Core.Common;
using NUnit.Framework;

namespace DataExchange.Core.Tests.Common;

public sealed class DocumentSchemasTests
{
    const string Entry = """
        {"seq":1,"at":"2026-11-26T10:00:00.123456Z","actorAgency":null,"actorClient":null,"action":"admin-bootstrapped","target":"k1","datasetId":null,
         "outcome":"succeeded","details":{},"prevHash":"0000000000000000000000000000000000000000000000000000000000000000",
         "hash":"ed86799c01726d288d4a93fe67bfe5420cef51588753a88d164b03f8b21a0c6e"}
        """;

    [Test]
    public void AuditExportRecord_AcceptsAnEntryAndACheckpointLine()
    {
        Assert.That(DocumentSchemas.Errors(DocumentSchemas.AuditExportRecord, JsonNode.Parse(Entry)!), Is.Empty);
        var checkpoint = JsonNode.Parse("""{"checkpoint":{"treeSize":3,"rootHash":"ed86799c01726d288d4a93fe67bfe5420cef51588753a88d164b03f8b21a0c6e","chainHash":"ed86799c01726d288d4a93fe67bfe5420cef51588753a88d164b03f8b21a0c6e","signedAt":"2026-11-26T10:00:00.000000Z","keyId":"k","signature":"AAAA"}}""")!;
        Assert.That(DocumentSchemas.Errors(DocumentSchemas.AuditExportRecord, checkpoint), Is.Empty);
    }

    [TestCase("hash", "\"not-hex\"")]
    [TestCase("outcome", "\"maybe\"")]
    [TestCase("seq", "0")]
    [TestCase("at", "\"2026-11-26 10:00\"")]
    public void AuditExportRecord_RefusesABrokenEntry(string field, string value)
    {
        var entry = JsonNode.Parse(Entry)!.AsObject();
        entry[field] = JsonNode.Parse(value);
        Assert.That(DocumentSchemas.Errors(DocumentSchemas.AuditExportRecord, entry), Is.Not.Empty);
    }

    [Test]
    public void Validate_ListsTheProblemsOfSeveralDocuments_WithTheirPrefixes()
    {
        var e = Assert.Throws<InvalidException>(() => DocumentSchemas.Validate(
            (DocumentSchemas.DatasetManifest, JsonNode.Parse("""{"id":"x","title":"","keyFields":[],"classification":"public","feed":{}}"""), ""),
            (DocumentSchemas.FeedDefinition, JsonNode.Parse("""{"format":"xml"}"""), "/feed")));
        Assert.That(e!.Errors.Select(p => p.Pointer), Is.SupersetOf(new[] { "/id", "/title", "/keyFields", "/feed/format" }));
    }
}
