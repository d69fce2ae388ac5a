using System.Runtime.CompilerServices;
using System.Text;
using DataExchange.Core.Datasets.Schemas;
using DataExchange.Core.Feeds;
using DataExchange.Core.Ingestion;
using NUnit.Framework;

namespace DataExchange.Core.Tests.Ingestion;

/// <summary>
/// Issue 14: a re-ingest's reader hashes each CSV row's raw bytes and gives a row whose hash the current records' filter
/// knows by its key alone, without cells; every other row as before, with all its cells.
/// </summary>
public sealed class CsvRowProbeTests
{
    const string Schema = """
        {"type":"object","required":["code","name"],"additionalProperties":false,
         "properties":{"code":{"type":"integer"},"name":{"type":"string","maxLength":10}}}
        """;

    static readonly FeedDefinition Feed = new() { Source = "upload", Format = "csv", Delimiter = ",", Quote = "\"", CaseInsensitiveKeys = false };

    // Known: 1, 3 (quoted, a comma and a line break in a cell) and 7 (a key in another spelling: read as the key it coerces to).
    // 5 is short a cell and x is a key that is no integer: their hashes are in the filter too (as its false positives would be),
    // yet their keys cannot be read from their key cells, so they get every cell and go the full way.
    const string Csv = "code,name\n1,one\n2,two\n3,\"th,\nree\"\n4,\"fo\"\"ur\"\n5\nx,six\n07,seven\n";

    [Test]
    public async Task RowsWhoseHashTheFilterKnows_AreReadByTheirKeyAlone_OthersWithEveryCell_EachWithTheRunsRowHash()
    {
        var schema = await DatasetSchema.LoadAsync(Schema, 1);
        var validator = new RecordValidator(schema, ["code"]);
        SourceRowHash HashFor(string[] header) => SourceRowHash.For("csv", ",", "\"", header, ["code"], false, null, 1);
        var (plain, header) = await ReadAsync(null);
        var reading = HashFor(header);
        using var known = new RowHashFilter(100, 1 << 23);
        foreach (var r in plain.Where(r => r.Raw[0] is '1' or '3' or '5' or 'x' or '0')) known.Add(reading.Of(r));

        var (probed, _) = await ReadAsync(new CsvRowProbe(known, validator, HashFor));
        Assert.That(probed.Select(r => r.Line), Is.EqualTo(plain.Select(r => r.Line)));
        Assert.Multiple(() =>
        {
            for (var i = 0; i < plain.Count; i++)
            {
                var (before, now) = (plain[i], probed[i]);
                Assert.That(now.RawHash, Is.EqualTo(reading.Of(before)), $"line {before.Line}: the row hash the workers would compute");
                Assert.That(now.Raw, Is.EqualTo(before.Raw));
                if (before.Raw[0] is '1' or '3' or '0')
                {
                    Assert.That(now.Cells, Is.Null, $"line {before.Line} is read by its key alone");
                    Assert.That(now.KnownKey, Is.EqualTo(validator.KnownKey(before, header)).And.Not.Null);
                }
                else
                {
                    Assert.That(now.Cells, Is.EqualTo(before.Cells), $"line {before.Line} keeps every cell");
                    Assert.That(now.KnownKey, Is.Null);
                }
            }
        });
        Assert.That(probed.Where(r => r.KnownKey is not null).Select(r => r.KnownKey), Is.EqualTo(new[] { "1", "3", "7" }));
        Assert.That(validator.Process(probed.Single(r => r.Raw.StartsWith('x')), header).Quarantined, Is.Not.Null, "the row goes the full way");
    }

    [Test]
    public async Task NoRowIsReadByItsKeyAlone_WithoutKnownRows_OrWhereTheKeyNeedsTheWholeRow()
    {
        var flat = new RecordValidator(await DatasetSchema.LoadAsync(Schema, 1), ["code"]);
        var notFlat = new RecordValidator(await DatasetSchema.LoadAsync(CsvFastPathSchemas.NotFlat, 1), ["k"]);
        SourceRowHash HashFor(string[] header) => SourceRowHash.For("csv", ",", "\"", header, ["code"], false, null, 1);
        using var some = new RowHashFilter(10, 1 << 23);
        some.Add(new byte[32]);
        Assert.Multiple(() =>
        {
            Assert.That(new CsvRowProbe(RowHashFilter.None, flat, HashFor).For(["code", "name"]), Is.Null, "nothing is known");
            Assert.That(new CsvRowProbe(some, notFlat, HashFor).For(["k", "v"]), Is.Null, "a schema the fast path does not read");
            Assert.That(new CsvRowProbe(some, flat, HashFor).For(["code", "name", "name"]), Is.Null, "a header with a name twice");
            Assert.That(new CsvRowProbe(some, flat, HashFor).For(["id", "name"]), Is.Null, "no column for the key");
            Assert.That(new CsvRowProbe(some, flat, HashFor).For(["name", "code"]), Is.Not.Null);
        });
    }

    [Test]
    public async Task AKeyWithANul_IsNotReadFromItsKeyCells()
    {
        // PostgreSQL text cannot hold a NUL: such a row goes the full way (which quarantines it) instead of being staged by its key.
        const string schema = """{"type":"object","required":["k"],"properties":{"k":{"type":"string"},"v":{"type":"integer"}}}""";
        var validator = new RecordValidator(await DatasetSchema.LoadAsync(schema, 1), ["k"]);
        string[] header = ["k", "v"];
        Assert.Multiple(() =>
        {
            Assert.That(validator.KeyFromCells(["a\0b", "1"], header), Is.Null);
            Assert.That(validator.KeyFromCells(["ab", "1"], header), Is.EqualTo("ab"));
        });
    }

    static async Task<(List<SourceRecord> Records, string[] Header)> ReadAsync(CsvRowProbe? probe)
    {
        var path = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(path, Csv, new UTF8Encoding(false));
            var header = new StrongBox<string[]>([]);
            List<SourceRecord> records = [];
            await foreach (var r in PayloadReader.ReadAsync(path, Feed, new IngestionOptions(), header, null, null, probe, CancellationToken.None)) records.Add(r);
            return (records, header.Value!);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
