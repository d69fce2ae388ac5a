using System.Globalization;
using DataExchange.Core.Common;
using DataExchange.Core.Datasets.Schemas;
using DataExchange.Core.Ingestion;
using NUnit.Framework;
using static DataExchange.Core.Tests.Ingestion.CsvFastPathSchemas;

namespace DataExchange.Core.Tests.Ingestion;

/// <summary>
/// Issue 4 throughput: the CSV fast path is an optimisation only. Every row, under every kind of flat
/// schema and feed setting, gives exactly what the general path gives (staged record or errors).
/// </summary>
[TestFixture]
public sealed class CsvFastPathTests
{
    const int RowsPerCase = 600;

    static readonly (string Name, string Schema, string[] Key, string[][] Headers)[] Cases =
    [
        ("bench", Bench, ["id"],
        [
            ["id", "name", "category", "amount", "quantity", "active", "created", "code", "score", "note"],
            ["note", "score", "code", "created", "active", "quantity", "amount", "category", "name", "id", "deleted"],
            ["id", "name", "category", "amount", "quantity", "active", "created", "code", "score", "extra"],
            ["id", "name", "name", "category", "amount", "quantity", "active", "created", "code", "score"],
        ]),
        ("nullable", Nullables, ["id"],
        [
            ["id", "email", "born", "uscc", "level", "ratio", "flag", "kind", "mixed", "either", "title", "deleted"],
            ["title", "either", "email", "id", "other", "Id", "ünï", "a\"b"],
        ]),
        ("typed", Typed, ["region", "code"],
        [
            ["region", "code", "n", "i", "b", "nb", "deleted"],
            ["b", "i", "n", "code", "region", "odd"],
            ["region", "n", "i"],
        ]),
        ("additional", AdditionalSchema, ["k"], [["k", "x", "y", "deleted"], ["y", "k"]]),
        ("not flat", NotFlat, ["k"], [["k", "v"], ["k"]]),
    ];

    [Test]
    public async Task EveryRow_IsStagedOrQuarantinedExactlyAsTheGeneralPathDoes(
        [Values(false, true)] bool caseInsensitive, [Values(null, "deleted")] string? marker, [Values("none", "some", "all")] string published)
    {
        var accepted = 0;
        foreach (var (name, text, key, headers) in Cases)
        {
            var schema = await DatasetSchema.LoadAsync(text, 3);
            var random = new Random(name.Length * 7919 + headers.Length);
            foreach (var header in headers)
            {
                var rows = Rows(random, header).ToList();
                var filter = Filter(schema, key, header, rows, published);
                var fast = new RecordValidator(schema, key, caseInsensitive, marker, filter);
                var slow = new RecordValidator(schema, key, caseInsensitive, marker, filter) { UseFastPath = false };
                foreach (var row in rows)
                {
                    var what = $"{name} [{string.Join(",", header)}] line {row.Line}: {string.Join("|", row.Cells!)}";
                    AssertSame(fast.Process(row, header), slow.Process(row, header), what);
                    if (fast.TryFastCsv(row, row.Cells!, header, out _)) accepted++;
                }
            }
        }
        Assert.That(accepted, Is.GreaterThan(RowsPerCase), "most valid rows of flat schemas take the fast path");
    }

    [Test]
    public async Task RowsReadByTheCsvReader_FromTheBenchmarkGeneratorAndRawEdgeCases_GiveTheSameResultsOnBothPaths()
    {
        var csv = new System.Text.StringBuilder("id,name,category,amount,quantity,active,created,code,score,note,name\n");
        for (var i = 0; i < 3000; i++) csv.Append(BenchRow(i).TrimEnd('\n')).Append(i % 5 == 0 ? ",dup\n" : ",\n");
        foreach (var cell in EdgeCells)
            csv.Append("R00000001,\"").Append(cell.Replace("\"", "\"\"", StringComparison.Ordinal)).Append("\",alpha,1,2,true,2024-01-01,ABC,3,\"")
                .Append(cell.Replace("\"", "\"\"", StringComparison.Ordinal)).Append("\",\n");
        csv.Append("R00000002,short row\nR00000003,x,alpha,1,2,true,2024-01-01,ABC,3,,,extra\n");
        var path = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(path, csv.ToString(), new System.Text.UTF8Encoding(false));
            var feed = new Core.Feeds.FeedDefinition { Source = "file:x.csv", Cron = "0 0 1 1 *", Format = "csv", Delimiter = ",", Quote = "\"" };
            var schema = await DatasetSchema.LoadAsync(Bench, 1);
            foreach (var header in new[] { "id,name,category,amount,quantity,active,created,code,score,note,extra", null })
            {
                // Once with a duplicate column name (the general path keeps the later cell), once without.
                var text = header is null ? csv.ToString() : header + csv.ToString()[csv.ToString().IndexOf('\n')..];
                await File.WriteAllTextAsync(path, text, new System.Text.UTF8Encoding(false));
                var fast = new RecordValidator(schema, ["id"]);
                var slow = new RecordValidator(schema, ["id"]) { UseFastPath = false };
                var names = new System.Runtime.CompilerServices.StrongBox<string[]>([]);
                var (rows, staged) = (0, 0);
                await foreach (var row in PayloadReader.ReadAsync(path, feed, new IngestionOptions(), names, CancellationToken.None))
                {
                    var result = fast.Process(row, names.Value!);
                    AssertSame(result, slow.Process(row, names.Value!), $"line {row.Line}: {row.Raw}");
                    rows++;
                    if (result.Staged is not null) staged++;
                }
                Assert.That((rows, staged > 2000), Is.EqualTo((3000 + EdgeCells.Length + 2, true)));
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public async Task ASchemaWhoseRootIsNotFlat_OrAHeaderWithDuplicateNames_NeverTakesTheFastPath()
    {
        var notFlat = await DatasetSchema.LoadAsync(NotFlat, 1);
        var bench = await DatasetSchema.LoadAsync(Bench, 1);
        var row = new SourceRecord(2, ["k", "1"], null, "k,1");
        var dup = new SourceRecord(2, ["R00000001", "a", "b", "alpha", "1", "1", "true", "2024-01-01", "ABC", "1"], null, "");
        string[] dupHeader = ["id", "name", "name", "category", "amount", "quantity", "active", "created", "code", "score"];
        Assert.Multiple(() =>
        {
            Assert.That(notFlat.Flat, Is.Null);
            Assert.That(new RecordValidator(notFlat, ["k"]).TryFastCsv(row, row.Cells!, ["k", "v"], out _), Is.False);
            Assert.That(new RecordValidator(bench, ["id"]).TryFastCsv(dup, dup.Cells!, dupHeader, out _), Is.False);
            Assert.That(new RecordValidator(bench, ["id"]).Process(dup, dupHeader).Staged, Is.Not.Null, "the general path keeps the last of duplicate columns");
        });
    }

    [Test]
    public void EveryCharacter_IsEscapedOnlyWhenItIsAQuoteABackslashOrAControlCharacter()
    {
        var sb = new System.Text.StringBuilder();
        for (var c = 0; c <= char.MaxValue; c++)
        {
            if (char.IsSurrogate((char)c)) continue;
            var expected = c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\b' => "\\b",
                '\f' => "\\f",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                < 0x20 => $"\\u{c:x4}",
                _ => ((char)c).ToString(),
            };
            sb.Clear();
            CanonicalJson.AppendString(sb, $"a{(char)c}b");
            if (sb.ToString() != $"\"a{expected}b\"") Assert.Fail($"U+{c:X4}: {sb} is not \"a{expected}b\"");
        }
        Assert.That(CanonicalJson.MemberName("a\"\u0000é"), Is.EqualTo("\"a\\\"\\u0000é\":"));
    }

    [TestCase("0", "0"), TestCase("-0", "0"), TestCase("1.0", "1.0"), TestCase("1.50", "1.50"), TestCase("1e5", "100000"), TestCase("1E-3", "0.001")]
    [TestCase("-0.000", "0.000"), TestCase("79228162514264337593543950335", "79228162514264337593543950335"), TestCase("0.0000000000000000000000000001", "0.0000000000000000000000000001")]
    [TestCase("1E+28", "10000000000000000000000000000"), TestCase("-12", "-12"), TestCase("131", "131"), TestCase("+7", "7"), TestCase("007", "7")]
    [TestCase(".5", "0.5"), TestCase("5.", "5"), TestCase(" 5 ", "5"), TestCase("12345678901234567890.123456789012345", "12345678901234567890.123456789012345")]
    public void NumberCells_BecomeTheExactValueInPostgresNumericText(string cell, string canonical)
    {
        Assert.That(DatasetSchema.TryCoerce(DatasetSchema.CellType.Number, cell, out var value, out var present), Is.True);
        var sb = new System.Text.StringBuilder();
        CanonicalJson.AppendScalar(sb, value);
        Assert.That((present, value.NumberText, sb.ToString()), Is.EqualTo((true, canonical, canonical)));
    }

    static IEnumerable<SourceRecord> Rows(Random random, string[] header)
    {
        string[] previous = [];
        for (var line = 2; line < RowsPerCase + 2; line++)
        {
            // Now and then an exact repeat of the row before (the benchmark's duplicates).
            if (random.Next(50) == 0 && previous.Length > 0)
            {
                yield return new SourceRecord(line, previous, null, string.Join(",", previous));
                continue;
            }
            var count = random.Next(40) switch { 0 => header.Length - 1, 1 => header.Length + 1, _ => header.Length };
            var cells = new string[Math.Max(0, count)];
            for (var i = 0; i < cells.Length; i++)
            {
                var good = Good(i < header.Length ? header[i] : "");
                cells[i] = random.Next(100) < 94 ? good[random.Next(good.Length)] : EdgeCells[random.Next(EdgeCells.Length)];
            }
            previous = cells;
            yield return new SourceRecord(line, cells, null, string.Join(",", cells));
        }
    }

    /// <summary>
    /// "some": the hashes of a third of the valid rows; "all": a filter so small and full that it matches
    /// nearly everything, valid or not, as a worst case of false positives.
    /// </summary>
    static PublishedHashes? Filter(DatasetSchema schema, string[] key, string[] header, List<SourceRecord> rows, string published)
    {
        if (published == "none") return null;
        var filter = new PublishedHashes(published == "all" ? 1 : rows.Count);
        var slow = new RecordValidator(schema, key) { UseFastPath = false };
        if (published == "all")
            for (var i = 0; i < 5000; i++) filter.Add(System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(i)));
        else
            foreach (var row in rows.Where((_, i) => i % 3 == 0))
                if (slow.Process(row, header).Staged is { } staged) filter.Add(staged.Hash);
        return filter;
    }

    static void AssertSame((StagedRecord? Staged, QuarantinedRecord? Quarantined) fast, (StagedRecord? Staged, QuarantinedRecord? Quarantined) slow, string what)
    {
        if (fast.Staged is { } f && slow.Staged is { } s)
        {
            if (f.Line == s.Line && f.Key == s.Key && f.Hash.AsSpan().SequenceEqual(s.Hash) && f.Data == s.Data && f.Delete == s.Delete && f.Checked == s.Checked) return;
            Assert.Fail($"{what}\nfast: {f.Key} {f.Data} {f.Delete} {f.Checked}\nslow: {s.Key} {s.Data} {s.Delete} {s.Checked}");
        }
        if (fast.Quarantined is { } fq && slow.Quarantined is { } sq)
        {
            if (fq.Line == sq.Line && fq.Raw == sq.Raw && fq.Errors.SequenceEqual(sq.Errors)) return;
            Assert.Fail($"{what}\nfast errors: {string.Join("; ", fq.Errors)}\nslow errors: {string.Join("; ", sq.Errors)}");
        }
        Assert.Fail($"{what}\nfast staged: {fast.Staged is not null}, slow staged: {slow.Staged is not null}");
    }
}
