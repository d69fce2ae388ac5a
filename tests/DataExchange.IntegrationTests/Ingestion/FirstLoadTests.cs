using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using DataExchange.IntegrationTests.Hosting;
using Npgsql;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Ingestion;

/// <summary>
/// Issue 14: a first load writes its records straight into <c>dx.records</c> in its publish transaction
/// (<c>FirstLoad</c>); the staged path (<c>Ingestion:DirectFirstLoad=false</c>) inserts them from the stage. The
/// same payloads on both — repeated keys (identical copies, copies equal in content but not in their source
/// text, conflicting copies, in reject and last-wins mode, keys folded to one case, delete markers), invalid
/// rows, too many rejects, a payload cut inside a quoted field — must leave the same records (every column), the
/// same quarantine, the same counts, errors and versions; and a re-ingest over either must do the same. Batches of
/// three records on two validators, so the writer receives batches out of payload order and a key's first copy
/// to reach it is not always its first line.
/// </summary>
[TestFixture]
public sealed class FirstLoadTests
{
    IngestionHarness _direct = null!;
    IngestionHarness _staged = null!;
    readonly CapturedLogs _directLogs = new();
    readonly CapturedLogs _stagedLogs = new();

    static readonly JsonObject Schema = JsonNode.Parse("""
        {"type":"object","required":["code","name","qty"],"additionalProperties":false,
         "properties":{"code":{"type":"string"},"name":{"type":"string","maxLength":12},"qty":{"type":"integer"}}}
        """)!.AsObject();

    static Dictionary<string, string?> Settings(bool direct) => new()
    {
        ["Ingestion:DirectFirstLoad"] = direct ? "true" : "false",
        ["Ingestion:BatchSize"] = "3",
        ["Ingestion:Validators"] = "2",
        ["Logging:LogLevel:Default"] = "Information",
    };

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _direct = await IngestionHarness.StartAsync("first_load_direct", Settings(true), _directLogs);
        _staged = await IngestionHarness.StartAsync("first_load_staged", Settings(false), _stagedLogs);
    }

    [OneTimeTearDown]
    public void Stop()
    {
        _direct.Dispose();
        _staged.Dispose();
    }

    /// <summary>
    /// 400 rows: every 7th an exact copy of the row before, every 11th the content of a row 50 lines back in other
    /// CSV text (a quoted name), every 13th a key of 3 lines back with other content, every 17th an invalid
    /// quantity, with <paramref name="caseFold"/> every 19th an earlier key in lower case, with
    /// <paramref name="deletes"/> every 23rd marked deleted.
    /// </summary>
    static string Payload(int seed, bool caseFold = false, bool deletes = false)
    {
        var sb = new StringBuilder(deletes ? "code,name,qty,deleted\n" : "code,name,qty\n");
        var rows = new List<(string Code, string Name, string Qty)>();
        for (var i = 0; i < 400; i++)
        {
            var row = (Code: $"K{i:D4}", Name: $"n{i * seed % 997}", Qty: i.ToString(CultureInfo.InvariantCulture));
            string? text = null;
            if (i % 7 == 6) row = rows[i - 1];
            else if (i % 11 == 10 && i > 50)
            {
                row = rows[i - 50];
                text = $"{row.Code},\"{row.Name}\",{row.Qty}";
            }
            else if (i % 13 == 12) row = (rows[i - 3].Code, $"c{i}", "1");
            else if (i % 17 == 16) row.Qty = "x";
            else if (caseFold && i % 19 == 18) row.Code = rows[i - 5].Code.ToLowerInvariant();
            rows.Add(row);
            sb.Append(text ?? $"{row.Code},{row.Name},{row.Qty}");
            if (deletes) sb.Append(i % 23 == 22 ? ",true" : ",");
            sb.Append('\n');
        }
        return sb.ToString();
    }

    static IEnumerable<TestCaseData> Cases()
    {
        yield return new TestCaseData("reject", new { source = "upload", format = "csv", rejectThreshold = 0.5 }, false, false).SetName("Reject mode: conflicting copies quarantined");
        yield return new TestCaseData("lastwins", new { source = "upload", format = "csv", rejectThreshold = 0.5, onConflict = "last-wins" }, false, false)
            .SetName("Last-wins: the last copy published");
        yield return new TestCaseData("incremental", new
        {
            source = "upload", format = "csv", mode = "incremental", caseInsensitiveKeys = true, deleteMarker = "true", onConflict = "last-wins",
            rejectThreshold = 0.5, maxDeleteShare = 1.0,
        }, true, true).SetName("Incremental: folded keys and delete markers");
        yield return new TestCaseData("toomany", new { source = "upload", format = "csv", rejectThreshold = 0.01 }, false, false).SetName("Too many rejects: nothing published");
    }

    [TestCaseSource(nameof(Cases))]
    public async Task BothPaths_PublishTheSameRecords_Quarantine_AndCounts(string name, object feed, bool caseFold, bool deletes)
    {
        var first = Payload(7, caseFold, deletes);
        var second = Payload(11, caseFold, deletes);
        var direct = await RunBothAsync(_direct, name, feed, first, second);
        var staged = await RunBothAsync(_staged, name, feed, first, second);
        Assert.That(direct, Is.EqualTo(staged));
        var id = $"{IngestionHarness.Agency}.{name}";
        var firstRun = direct[0];
        if (name == "toomany")
        {
            Assert.That(firstRun, Does.Contain("failed").And.Contain("above the feed's threshold"));
            Assert.That(await ScalarAsync(_direct, "select count(*) from dx.records where dataset_id = $1", id), Is.EqualTo(0), "a failed first load leaves no rows");
            return;
        }
        Assert.Multiple(() =>
        {
            Assert.That(firstRun, Does.Contain("succeeded"));
            Assert.That(firstRun, Does.Not.Match("\"duplicate\":0[,}]"), "the payload repeats keys");
            Assert.That(_directLogs.Lines.Any(l => l.Contains("(first load;", StringComparison.Ordinal) && l.Contains(id, StringComparison.Ordinal)), Is.True,
                "the direct harness took the first-load path");
            Assert.That(_stagedLogs.Lines.Any(l => l.Contains("(first load;", StringComparison.Ordinal)), Is.False, "the staged harness did not");
        });
    }

    [Test]
    public async Task PayloadCutInsideAQuotedField_FailsTheFirstLoad_LeavingNoRows_OnBothPaths()
    {
        var payload = Payload(7) + "K9999,\"unclosed,1\nK9998,n,2\n";
        var direct = await RunBothAsync(_direct, "cut", new { source = "upload", format = "csv", rejectThreshold = 0.5 }, payload, null);
        var staged = await RunBothAsync(_staged, "cut", new { source = "upload", format = "csv", rejectThreshold = 0.5 }, payload, null);
        Assert.That(direct, Is.EqualTo(staged));
        Assert.That(direct[0], Does.Contain("failed"));
        Assert.That(await ScalarAsync(_direct, "select count(*) from dx.records where dataset_id = $1", $"{IngestionHarness.Agency}.cut"), Is.EqualTo(0));
        Assert.That(await ScalarAsync(_direct, "select count(*) from dx.dataset_versions where dataset_id = $1", $"{IngestionHarness.Agency}.cut"), Is.EqualTo(0));
    }

    /// <summary>Registers the dataset, pushes one or two payloads; returns, per push, the run and what the database holds after it.</summary>
    static async Task<List<string>> RunBothAsync(IngestionHarness h, string name, object feed, string first, string? second)
    {
        var id = await h.RegisterAsync(name, ["code"], Schema, feed);
        var result = new List<string>();
        foreach (var payload in second is null ? [first] : new[] { first, second })
        {
            var run = await h.PushAsync(id, payload);
            result.Add(Describe(run) + "\n" + await StateAsync(h, id));
        }
        return result;
    }

    static string Describe(JsonNode run) =>
        $"{IngestionHarness.Status(run)} v{run["publishedVersion"]} counts={run["counts"]!.ToJsonString()} error={run["error"]}";

    /// <summary>Every column of the dataset's records, its versions' rows and its quarantine (run ids aside).</summary>
    static async Task<string> StateAsync(IngestionHarness h, string id)
    {
        var sb = new StringBuilder();
        await using var conn = new NpgsqlConnection(h.ConnectionString);
        await conn.OpenAsync();
        foreach (var sql in new[]
        {
            """
            select key, valid_from, valid_to, encode(hash, 'hex'), schema_version, data::text, encode(raw_hash, 'hex')
            from dx.records where dataset_id = $1 order by key, valid_from
            """,
            "select version, schema_version, inserted_count, updated_count, deleted_count, row_count from dx.dataset_versions where dataset_id = $1 order by version",
            """
            select r.line, r.raw, r.errors::text, r.schema_version, r.key
            from dx.rejected_records r join dx.ingestion_runs i on i.id = r.run_id where i.dataset_id = $1 order by i.id, r.line, r.errors::text
            """,
        })
        {
            await using var cmd = new NpgsqlCommand(sql, conn) { Parameters = { new() { Value = id } } };
            await using var r = await cmd.ExecuteReaderAsync();
            while (await r.ReadAsync())
            {
                for (var i = 0; i < r.FieldCount; i++) sb.Append(r.IsDBNull(i) ? "∅" : Convert.ToString(r.GetValue(i), CultureInfo.InvariantCulture)).Append('|');
                sb.Append('\n');
            }
            sb.Append("--\n");
        }
        return sb.ToString();
    }

    static async Task<long> ScalarAsync(IngestionHarness h, string sql, string id)
    {
        await using var conn = new NpgsqlConnection(h.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn) { Parameters = { new() { Value = id } } };
        return (long)(await cmd.ExecuteScalarAsync())!;
    }
}
