using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json.Nodes;
using DataExchange.Core.Feeds;
using DataExchange.Core.Ingestion;
using Npgsql;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Ingestion;

/// <summary>
/// Issue 14: a re-ingested row whose source bytes are a current record's (same reading, same schema version)
/// is staged by its hash alone and becomes that record; anything else is read and validated in full.
/// </summary>
[TestFixture]
public sealed class KnownRowsTests
{
    IngestionHarness _h = null!;

    // The filter of row hashes capped at one 512-bit block, as the tests below rebuild it: false positives are then easy to find
    // (about one in ten at 100 rows), where the default filter has about one in 10^8 (RowHashFilter).
    const long FilterBytes = 64;

    [OneTimeSetUp]
    public async Task StartAsync() => _h = await IngestionHarness.StartAsync("ingest_rows",
        new Dictionary<string, string?> { ["Ingestion:RowFilterMaxBytes"] = FilterBytes.ToString(System.Globalization.CultureInfo.InvariantCulture) });

    [OneTimeTearDown]
    public void Stop() => _h.Dispose();

    static JsonObject Schema(int maxName = 10)
    {
        var schema = JsonNode.Parse("""
            {"type":"object","required":["code","name"],"additionalProperties":false,
             "properties":{"code":{"type":"string"},"name":{"type":"string"}}}
            """)!.AsObject();
        schema["properties"]!["name"]!["maxLength"] = maxName;
        return schema;
    }

    [Test]
    public async Task RowsEqualToPublishedOnes_AreUnchanged_NewAndChangedOnesPublished_EachRecordWithItsRowHash()
    {
        var id = await _h.RegisterAsync("same", ["code"], Schema(), new { source = "upload", format = "csv" });
        await _h.PushAsync(id, "code,name\nA,one\nB,two\nC,three\n");
        var run = await _h.PushAsync(id, "code,name\nC,three\nA,one\nB,deux\nD,four\n");
        Assert.Multiple(async () =>
        {
            Assert.That(IngestionHarness.Status(run), Is.EqualTo("succeeded"), run.ToJsonString());
            Assert.That(IngestionHarness.Count(run, "unchanged"), Is.EqualTo(2));
            Assert.That(IngestionHarness.Count(run, "updated"), Is.EqualTo(1));
            Assert.That(IngestionHarness.Count(run, "inserted"), Is.EqualTo(1));
            Assert.That(await NamesAsync(id), Is.EqualTo(new[] { ("A", "one"), ("B", "deux"), ("C", "three"), ("D", "four") }));
            Assert.That(await RowHashesAsync(id), Has.Count.EqualTo(4).And.All.Not.Null);
        });
    }

    [Test]
    public async Task CopiesOfAKnownRow_AreDuplicates_AndAConflictingCopyQuarantinesBoth()
    {
        var id = await _h.RegisterAsync("copies", ["code"], Schema(), new { source = "upload", format = "csv", rejectThreshold = 0.9 });
        await _h.PushAsync(id, "code,name\nA,one\nB,two\nC,three\n");
        // A twice as published; B as published and, later, with other content; C after a changed copy of itself.
        var run = await _h.PushAsync(id, "code,name\nA,one\nB,two\nC,drei\nA,one\nB,zwei\nC,three\n");
        var rejects = await _h.Steward.GetAsync($"/api/v1/datasets/{id}/runs/{run["id"]}/rejected");
        Assert.Multiple(async () =>
        {
            Assert.That(IngestionHarness.Status(run), Is.EqualTo("unchanged"), run.ToJsonString());
            Assert.That(IngestionHarness.Count(run, "duplicate"), Is.EqualTo(1));
            Assert.That(IngestionHarness.Count(run, "rejected"), Is.EqualTo(4));
            Assert.That(rejects["items"]!.AsArray().Select(r => r!["raw"]!.GetValue<string>()),
                Is.EquivalentTo(new[] { "B,two", "C,drei", "B,zwei", "C,three" }.Select(Body)));
            Assert.That(await NamesAsync(id), Is.EqualTo(new[] { ("A", "one"), ("B", "two"), ("C", "three") }), "rejected rows keep their records");
        });
    }

    [Test]
    public async Task ARowEqualToAPublishedOne_UnderANewSchemaVersion_IsValidatedAgain()
    {
        const string id = IngestionHarness.Agency + ".newschema";
        await _h.Steward.PostAsync("/api/v1/datasets", new
        {
            id, title = "newschema", keyFields = new[] { "code" }, classification = "internal", compatibility = "NONE", schema = Schema(maxName: 10),
            feed = new { source = "upload", format = "csv", rejectThreshold = 0.9 },
        });
        const string payload = "code,name\nA,one\nB,lengthy\n";
        await _h.PushAsync(id, payload);
        await _h.Steward.PostAsync($"/api/v1/datasets/{id}/schemas", Schema(maxName: 5));
        var run = await _h.PushAsync(id, payload + "C,three\n");
        var rejects = await _h.Steward.GetAsync($"/api/v1/datasets/{id}/runs/{run["id"]}/rejected");
        Assert.Multiple(async () =>
        {
            Assert.That(run["schemaVersion"]!.GetValue<int>(), Is.EqualTo(2), run.ToJsonString());
            Assert.That(IngestionHarness.Count(run, "rejected"), Is.EqualTo(1));
            Assert.That(rejects["items"]![0]!["errors"]![0]!["code"]!.GetValue<string>(), Is.EqualTo("maxLength"));
            Assert.That(IngestionHarness.Count(run, "kept"), Is.EqualTo(1));
            Assert.That(IngestionHarness.Count(run, "inserted"), Is.EqualTo(1));
            Assert.That(await NamesAsync(id), Is.EqualTo(new[] { ("A", "one"), ("B", "lengthy"), ("C", "three") }));
        });
    }

    [Test]
    public async Task ARowEqualToOneWhoseRecordWasDeleted_IsInsertedAgain()
    {
        var id = await _h.RegisterAsync("deleted", ["code"], Schema(), new { source = "upload", format = "csv", maxDeleteShare = 1.0 });
        await _h.PushAsync(id, "code,name\nA,one\nB,two\n");
        var deleted = await _h.PushAsync(id, "code,name\nB,two\n");
        var again = await _h.PushAsync(id, "code,name\nA,one\nB,two\n");
        Assert.Multiple(async () =>
        {
            Assert.That(IngestionHarness.Count(deleted, "deleted"), Is.EqualTo(1), deleted.ToJsonString());
            Assert.That(IngestionHarness.Status(again), Is.EqualTo("succeeded"), again.ToJsonString());
            Assert.That(IngestionHarness.Count(again, "inserted"), Is.EqualTo(1));
            Assert.That(IngestionHarness.Count(again, "unchanged"), Is.EqualTo(1));
            Assert.That(await NamesAsync(id), Is.EqualTo(new[] { ("A", "one"), ("B", "two") }));
        });
    }

    [Test]
    public async Task TheSameLineUnderAnotherHeader_IsReadAsWhatItNowSays()
    {
        var schema = JsonNode.Parse("""{"type":"object","properties":{"code":{"type":"string"},"a":{"type":"string"},"b":{"type":"string"}}}""")!.AsObject();
        var id = await _h.RegisterAsync("header", ["code"], schema, new { source = "upload", format = "csv" });
        await _h.PushAsync(id, "code,a,b\nX,1,2\n");
        var run = await _h.PushAsync(id, "code,b,a\nX,1,2\n");
        var record = (await _h.RecordsAsync(id)).Single();
        Assert.Multiple(() =>
        {
            Assert.That(IngestionHarness.Count(run, "updated"), Is.EqualTo(1), run.ToJsonString());
            Assert.That((record["a"]!.GetValue<string>(), record["b"]!.GetValue<string>()), Is.EqualTo(("2", "1")));
        });
    }

    [Test]
    public async Task RowsThatTheFilterTakesForKnown_ButNoCurrentRecordHas_AreValidatedInFull()
    {
        // 100 published rows; then, among rows never published, one valid and one invalid that the run's filter
        // of row hashes answers "probably known" for (its false positives, about 1 in 2,000), found by trying.
        var id = await _h.RegisterAsync("falsepositive", ["code"], Schema(), new { source = "upload", format = "csv", rejectThreshold = 0.5 });
        var published = string.Concat(Enumerable.Range(0, 100).Select(i => $"K{i},name {i % 10}\n"));
        await _h.PushAsync(id, "code,name\n" + published);
        var hashes = await RowHashesAsync(id);
        using var filter = new RowHashFilter(hashes.Count, FilterBytes * 8);
        foreach (var h in hashes) filter.Add(h!);
        var reading = SourceRowHash.For("csv", ",", "\"", ["code", "name"], ["code"], false, null, 1);
        var rows = await ReadAsync("code,name\n" + published + string.Concat(Enumerable.Range(0, 40_000).Select(i => $"N{i},ok\nL{i},far too long\n")));
        Assert.That(rows.Take(100).Select(r => Convert.ToHexString(reading.Of(r))), Is.EquivalentTo(hashes.Select(h => Convert.ToHexString(h!))),
            "the test reads rows as the run does");
        var valid = rows.Skip(100).First(r => r.Raw.StartsWith('N') && filter.MightContain(reading.Of(r))).Raw.TrimEnd();
        var invalid = rows.Skip(100).First(r => r.Raw.StartsWith('L') && filter.MightContain(reading.Of(r))).Raw.TrimEnd();

        var run = await _h.PushAsync(id, "code,name\n" + published + valid + "\n" + invalid + "\n");
        var rejects = await _h.Steward.GetAsync($"/api/v1/datasets/{id}/runs/{run["id"]}/rejected");
        var names = await NamesAsync(id);
        Assert.Multiple(() =>
        {
            Assert.That(IngestionHarness.Status(run), Is.EqualTo("succeeded"), run.ToJsonString());
            Assert.That(IngestionHarness.Count(run, "unchanged"), Is.EqualTo(100));
            Assert.That(IngestionHarness.Count(run, "inserted"), Is.EqualTo(1));
            Assert.That(IngestionHarness.Count(run, "rejected"), Is.EqualTo(1));
            Assert.That(rejects["items"]![0]!["raw"]!.GetValue<string>().TrimEnd(), Is.EqualTo(invalid));
            Assert.That(rejects["items"]![0]!["errors"]![0]!["code"]!.GetValue<string>(), Is.EqualTo("maxLength"));
            Assert.That(names, Has.Count.EqualTo(101));
            Assert.That(names, Does.Contain((valid.Split(',')[0], "ok")));
        });
    }

    [Test]
    public async Task RowsOfPublishedKeysThatTheFilterTakesForKnown_AreChangedOrKept_AsTheirContentSays()
    {
        // The diff finds no exact match for such a row ('?'); validated after it, a valid one updates its record and an
        // invalid one is quarantined while, in a snapshot, its key's record is kept.
        var id = await _h.RegisterAsync("falsepositivekeys", ["code"], Schema(), new { source = "upload", format = "csv", rejectThreshold = 0.5 });
        var published = string.Concat(Enumerable.Range(0, 100).Select(i => $"K{i},name {i % 10}\n"));
        await _h.PushAsync(id, "code,name\n" + published);
        using var filter = new RowHashFilter(100, FilterBytes * 8);
        foreach (var h in await RowHashesAsync(id)) filter.Add(h!);
        var reading = SourceRowHash.For("csv", ",", "\"", ["code", "name"], ["code"], false, null, 1);
        var rows = await ReadAsync("code,name\n" + string.Concat(Enumerable.Range(0, 40_000).Select(i => $"K5,n{i}\nK6,far too long {i}\n")));
        var changed = rows.First(r => r.Raw.StartsWith("K5,", StringComparison.Ordinal) && filter.MightContain(reading.Of(r))).Raw.TrimEnd();
        var invalid = rows.First(r => r.Raw.StartsWith("K6,", StringComparison.Ordinal) && filter.MightContain(reading.Of(r))).Raw.TrimEnd();

        var others = string.Concat(Enumerable.Range(0, 100).Where(i => i is not (5 or 6)).Select(i => $"K{i},name {i % 10}\n"));
        var run = await _h.PushAsync(id, "code,name\n" + others + changed + "\n" + invalid + "\n");
        var names = await NamesAsync(id);
        Assert.Multiple(() =>
        {
            Assert.That(IngestionHarness.Status(run), Is.EqualTo("succeeded"), run.ToJsonString());
            Assert.That(IngestionHarness.Count(run, "unchanged"), Is.EqualTo(98));
            Assert.That(IngestionHarness.Count(run, "updated"), Is.EqualTo(1));
            Assert.That(IngestionHarness.Count(run, "rejected"), Is.EqualTo(1));
            Assert.That(IngestionHarness.Count(run, "kept"), Is.EqualTo(1));
            Assert.That(IngestionHarness.Count(run, "deleted"), Is.EqualTo(0));
            Assert.That(names, Does.Contain(("K5", changed.Split(',')[1])));
            Assert.That(names, Does.Contain(("K6", "name 6")), "the invalid row's record is kept as it was");
            Assert.That(names, Has.Count.EqualTo(100));
        });
    }

    [Test]
    public async Task AReIngestClosesTheChangedAndDeletedRecordsOfItsDatasetOnly_AndIdenticalCopiesOfAKnownRowAreDuplicates()
    {
        // Two datasets with the same keys: the re-ingest of one closes its changed and deleted records by key (a lookup per key)
        // and touches no row of the other; a known row repeated byte for byte is one record and a duplicate.
        var schema = Schema();
        var a = await _h.RegisterAsync("twin-a", ["code"], schema, new { source = "upload", format = "csv", maxDeleteShare = 1.0 });
        var b = await _h.RegisterAsync("twin-b", ["code"], schema, new { source = "upload", format = "csv", maxDeleteShare = 1.0 });
        const string first = "code,name\nA,one\nB,two\nC,three\nD,four\n";
        await _h.PushAsync(a, first);
        await _h.PushAsync(b, first);
        var run = await _h.PushAsync(a, "code,name\nA,one\nB,zwei\nA,one\nD,four\nE,five\n");
        var versions = await VersionsAsync();
        Assert.Multiple(async () =>
        {
            Assert.That(IngestionHarness.Status(run), Is.EqualTo("succeeded"), run.ToJsonString());
            Assert.That((IngestionHarness.Count(run, "unchanged"), IngestionHarness.Count(run, "updated"), IngestionHarness.Count(run, "inserted"),
                IngestionHarness.Count(run, "deleted"), IngestionHarness.Count(run, "duplicate")), Is.EqualTo((2L, 1L, 1L, 1L, 1L)));
            Assert.That(await NamesAsync(a), Is.EqualTo(new[] { ("A", "one"), ("B", "zwei"), ("D", "four"), ("E", "five") }));
            Assert.That(await NamesAsync(b), Is.EqualTo(new[] { ("A", "one"), ("B", "two"), ("C", "three"), ("D", "four") }));
            // (dataset, key, valid_from, valid_to): the change feed since version 1 reads the rows that start or end after it.
            Assert.That(versions.Where(v => v.Dataset == a), Is.EqualTo(new[]
            {
                (a, "A", 1, (int?)null), (a, "B", 1, 2), (a, "B", 2, null), (a, "C", 1, 2), (a, "D", 1, null), (a, "E", 2, null),
            }));
            Assert.That(versions.Where(v => v.Dataset == b), Is.EqualTo(new[]
            {
                (b, "A", 1, (int?)null), (b, "B", 1, null), (b, "C", 1, null), (b, "D", 1, null),
            }));
        });

        async Task<List<(string Dataset, string Key, int From, int? To)>> VersionsAsync()
        {
            await using var conn = new NpgsqlConnection(_h.ConnectionString);
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand(
                "select dataset_id, key, valid_from, valid_to from dx.records where dataset_id = any($1) order by dataset_id, key, valid_from", conn)
            { Parameters = { new() { Value = new[] { a, b } } } };
            await using var reader = await cmd.ExecuteReaderAsync();
            List<(string, string, int, int?)> rows = [];
            while (await reader.ReadAsync()) rows.Add((reader.GetString(0), reader.GetString(1), reader.GetInt32(2), reader.IsDBNull(3) ? null : reader.GetInt32(3)));
            return rows;
        }
    }

    [Test]
    public async Task ClosingByTheDiffsRowIds_ChecksEachRow_AndClosesByKeyWhatTheRowIdsMiss()
    {
        // The publish closes changed and deleted records by the row ids (ctid) the diff's join read. A row id that no longer
        // points at the key's current record of this dataset (here: one of another dataset's rows, as after a VACUUM FULL moved
        // rows) closes nothing there, and a change without a row id (a held run's diff has none) is closed by its key.
        var schema = Schema();
        var a = await _h.RegisterAsync("rowid-a", ["code"], schema, new { source = "upload", format = "csv", maxDeleteShare = 1.0 });
        var b = await _h.RegisterAsync("rowid-b", ["code"], schema, new { source = "upload", format = "csv", maxDeleteShare = 1.0 });
        const string first = "code,name\nA,one\nB,two\nC,three\nD,four\n";
        await _h.PushAsync(a, first);
        await _h.PushAsync(b, first);
        await using var conn = new NpgsqlConnection(_h.ConnectionString);
        await conn.OpenAsync();
        const string diff = """
            create temp table diff as
                select null::bigint as line, x.key, x.op, false as unverified,
                       (select r.ctid from dx.records r where r.dataset_id = x.ds and r.key = x.key and r.valid_to is null) as rid
                from (values ('B', 'U', $2), ('C', 'D', $1), ('D', 'U', null)) as x (key, op, ds)
            """;
        await using (var cmd = new NpgsqlCommand(diff, conn) { Parameters = { new() { Value = a }, new() { Value = b } } }) await cmd.ExecuteNonQueryAsync();
        Assert.That(await RowIdsAsync(), Is.EqualTo(2), "B's row id is b's row, C's is a's, D has none");
        await using (var tx = await conn.BeginTransactionAsync())
        {
            await RunPublisher.CloseAsync(conn, a, 2, CancellationToken.None);
            await tx.CommitAsync();
        }
        await using var read = new NpgsqlCommand("select dataset_id, key, valid_to from dx.records where dataset_id = any($1) order by dataset_id, key", conn)
        { Parameters = { new() { Value = new[] { a, b } } } };
        await using var reader = await read.ExecuteReaderAsync();
        List<(string, string, int?)> rows = [];
        while (await reader.ReadAsync()) rows.Add((reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetInt32(2)));
        Assert.That(rows, Is.EqualTo(new (string, string, int?)[]
        {
            (a, "A", null), (a, "B", 2), (a, "C", 2), (a, "D", 2),
            (b, "A", null), (b, "B", null), (b, "C", null), (b, "D", null),
        }));

        async Task<long> RowIdsAsync()
        {
            await using var cmd = new NpgsqlCommand("select count(rid) from diff", conn);
            return (long)(await cmd.ExecuteScalarAsync())!;
        }
    }

    // A quarantined copy staged by its hash is kept as its canonical JSON, read again from the payload.
    static string Body(string row) => row.Split(',') is [var code, var name] ? $"{{\"code\":\"{code}\",\"name\":\"{name}\"}}" : row;

    static async Task<List<SourceRecord>> ReadAsync(string csv)
    {
        var path = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(path, csv, new UTF8Encoding(false));
            var feed = new FeedDefinition { Source = "upload", Format = "csv", Delimiter = ",", Quote = "\"" };
            List<SourceRecord> rows = [];
            await foreach (var r in PayloadReader.ReadAsync(path, feed, new IngestionOptions(), new StrongBox<string[]>([]), CancellationToken.None)) rows.Add(r);
            return rows;
        }
        finally
        {
            File.Delete(path);
        }
    }

    async Task<List<(string, string)>> NamesAsync(string id) =>
        [.. (await _h.RecordsAsync(id)).Select(r => (r["code"]!.GetValue<string>(), r["name"]!.GetValue<string>())).OrderBy(r => r.Item1, StringComparer.Ordinal)];

    async Task<List<byte[]?>> RowHashesAsync(string id)
    {
        await using var conn = new NpgsqlConnection(_h.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("select raw_hash from dx.records where dataset_id = $1 and valid_to is null", conn) { Parameters = { new() { Value = id } } };
        await using var reader = await cmd.ExecuteReaderAsync();
        List<byte[]?> hashes = [];
        while (await reader.ReadAsync()) hashes.Add(reader.IsDBNull(0) ? null : (byte[])reader[0]);
        return hashes;
    }
}
