using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DataExchange.Core.Feeds;
using DataExchange.Core.Ingestion;
using DataExchange.IntegrationTests.Hosting;
using Npgsql;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Ingestion;

/// <summary>
/// Issue 14: a re-ingest that proves its known rows are exactly the current records outside the changed few diffs only the
/// rest (<c>ProvenDiff</c>); <c>Ingestion:ProvenDiff=false</c> always takes the full diff. The same payloads on both — unchanged
/// rows in another order, 1% changed, deletions, identical and differing copies of known rows, rejected rows of published keys,
/// a filter false positive, a new schema version — must leave the same records (every column, so the change feed too), the
/// same versions, quarantine and notifications, and the same counts; and the proof must hold where it should and only there.
/// Batches of three records on two validators, so the writer receives batches out of payload order.
/// </summary>
[TestFixture]
public sealed class ProvenDiffTests
{
    IngestionHarness _proven = null!;
    IngestionHarness _full = null!;
    IngestionHarness _leaky = null!;
    readonly CapturedLogs _provenLogs = new();
    readonly CapturedLogs _leakyLogs = new();

    // 300 rows in 600 bytes of filter: 16 bits a row, about one false positive in 1,000 (RowHashFilter), where the default has one in 10^8.
    const long LeakyBytes = 600;

    static readonly JsonObject Schema = JsonNode.Parse("""
        {"type":"object","required":["code","name","qty"],"additionalProperties":false,
         "properties":{"code":{"type":"string"},"name":{"type":"string","maxLength":12},"qty":{"type":"integer"}}}
        """)!.AsObject();

    static Dictionary<string, string?> Settings(bool proven, long? filterBytes = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Ingestion:ProvenDiff"] = proven ? "true" : "false",
            ["Ingestion:BatchSize"] = "3",
            ["Ingestion:Validators"] = "2",
            ["Logging:LogLevel:Default"] = "Information",
        };
        if (filterBytes is { } bytes) settings["Ingestion:RowFilterMaxBytes"] = bytes.ToString(CultureInfo.InvariantCulture);
        return settings;
    }

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _proven = await IngestionHarness.StartAsync("proven_diff", Settings(true), _provenLogs);
        _full = await IngestionHarness.StartAsync("full_diff", Settings(false));
        _leaky = await IngestionHarness.StartAsync("proven_leaky", Settings(true, LeakyBytes), _leakyLogs);
    }

    [OneTimeTearDown]
    public void Stop()
    {
        _proven.Dispose();
        _full.Dispose();
        _leaky.Dispose();
    }

    static string Row(int i, string? name = null, string? qty = null) => $"K{i:D4},{name ?? "n" + i},{qty ?? i.ToString(CultureInfo.InvariantCulture)}\n";

    /// <summary>Rows 0..299, every 7th repeated at once when <paramref name="repeats"/>; <paramref name="change"/> rewrites a row (null: leave it out).</summary>
    static string Payload(bool reverse = false, bool repeats = false, Func<int, string?>? change = null, string extra = "")
    {
        var rows = new List<string>();
        for (var i = 0; i < 300; i++)
        {
            var row = change is null ? Row(i) : change(i);
            if (row is null) continue;
            rows.Add(row);
            if (repeats && i % 7 == 3) rows.Add(row);
        }
        if (reverse) rows.Reverse();
        return "code,name,qty\n" + string.Concat(rows) + extra;
    }

    static IEnumerable<TestCaseData> Cases()
    {
        yield return new TestCaseData("unchanged", new[] { Payload(), Payload(reverse: true) }, true).SetName("Unchanged rows in another order: proved");
        yield return new TestCaseData("changed", new[] { Payload(), Payload(change: i => i % 100 == 37 ? Row(i, "changed") : Row(i), extra: Row(900) + Row(901)) }, true)
            .SetName("1% changed and two new keys: proved");
        yield return new TestCaseData("deleted", new[] { Payload(), Payload(change: i => i % 60 == 5 ? null : Row(i)) }, false).SetName("Deletions: the full diff");
        yield return new TestCaseData("repeats", new[] { Payload(repeats: true), Payload(reverse: true, repeats: true, change: i => i == 40 ? Row(i, "x40") : Row(i)) }, true)
            .SetName("Identical copies of known rows: proved, counted as duplicates");
        yield return new TestCaseData("knownfirst", new[] { Payload(), Payload(extra: Row(17, "other")) }, false)
            .SetName("A known row and a later differing copy of its key: the full diff");
        yield return new TestCaseData("changedfirst", new[] { Payload(), "code,name,qty\n" + Row(17, "other") + Payload()["code,name,qty\n".Length..] }, false)
            .SetName("A differing copy before the known row of its key: the full diff");
        yield return new TestCaseData("rejected", new[] { Payload(), Payload(change: i => i % 50 == 9 ? Row(i, qty: "x") : Row(i)) }, true)
            .SetName("Rejected rows of published keys: proved, their records kept");
        yield return new TestCaseData("lastwins", new[] { Payload(repeats: true), Payload(repeats: true, change: i => i == 10 ? Row(i, "y") : Row(i), extra: Row(10, "z")) }, true)
            .SetName("Last-wins: copies of a changed key resolved among the rows not known, proved");
        // The proof fails after the known rows were kept out of the stage: they are staged from the spill, and the full path decides.
        yield return new TestCaseData("strayrepeat", new[] { Payload(), Payload(extra: Row(17) + Row(17, "other")) }, false)
            .SetName("A known row repeated identically and a differing copy of its key: the full diff, known rows staged again");
        yield return new TestCaseData("rejectedknown", new[] { Payload(), Payload(extra: Row(9, qty: "x") + Row(23, qty: "y")) }, false)
            .SetName("A rejected row of a key whose known row is there too: the full diff, known rows staged again");
        yield return new TestCaseData("rejecteddeleted", new[] { Payload(), Payload(change: i => i % 50 == 9 ? Row(i, qty: "x") : i % 60 == 5 ? null : Row(i)) }, false)
            .SetName("Rejected rows of published keys and deletions: the full diff, known rows staged again");
        yield return new TestCaseData("lastwinsknown", new[] { Payload(repeats: true), Payload(repeats: true, extra: Row(10, "z") + Row(11)) }, false)
            .SetName("Last-wins: a known row, its identical copies and a later differing copy: the full diff, known rows staged again");
    }

    [TestCaseSource(nameof(Cases))]
    public async Task BothPaths_LeaveTheSameRecords_Versions_Quarantine_AndCounts(string name, string[] payloads, bool proves)
    {
        object feed = name.StartsWith("lastwins", StringComparison.Ordinal)
            ? new { source = "upload", format = "csv", rejectThreshold = 0.5, onConflict = "last-wins" }
            : new { source = "upload", format = "csv", rejectThreshold = 0.5 };
        var (proven, lastRun) = await RunAsync(_proven, name, feed, payloads);
        var (full, _) = await RunAsync(_full, name, feed, payloads);
        Assert.That(proven, Is.EqualTo(full));
        var logged = string.Join('\n', _provenLogs.Lines.Where(l => l.Contains(lastRun, StringComparison.Ordinal)));
        Assert.That(Proved(_provenLogs, lastRun), Is.EqualTo(proves), logged);
        // Where the proof failed, the known rows it had kept out of the stage were staged before the full path.
        if (!proves && name != "unchanged") Assert.That(Restaged(_provenLogs, lastRun), Is.GreaterThan(250), logged);
        Assert.That(proven[^1], Does.StartWith("succeeded").Or.StartWith("unchanged"));
    }

    [Test]
    public async Task ARowTheFilterTakesForKnown_BreaksTheProof_AndTheFullDiffPublishesIt()
    {
        // A new row whose row hash the run's filter answers "probably known" for: P no longer matches the current records.
        var feed = new { source = "upload", format = "csv", rejectThreshold = 0.5 };
        var id = await _leaky.RegisterAsync("falsepositive", ["code"], Schema, feed);
        await _leaky.PushAsync(id, Payload());
        using var filter = new RowHashFilter(300, LeakyBytes * 8);
        await using (var conn = new NpgsqlConnection(_leaky.ConnectionString))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand("select raw_hash from dx.records where dataset_id = $1 and valid_to is null", conn) { Parameters = { new() { Value = id } } };
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync()) filter.Add((byte[])reader[0]);
        }
        var reading = SourceRowHash.For("csv", ",", "\"", ["code", "name", "qty"], ["code"], false, null, 1);
        var candidates = await ReadAsync("code,name,qty\n" + string.Concat(Enumerable.Range(0, 50_000).Select(i => Row(1000 + i))));
        var falsePositive = candidates.First(r => filter.MightContain(reading.Of(r))).Raw.TrimEnd() + "\n";
        // With one row left out, the counts agree (300 rows known, 300 records): only the sums tell.
        var payloads = new[] { Payload(), Payload(change: i => i == 5 ? null : Row(i), extra: falsePositive) };

        var (leaky, lastRun) = await RunAsync(_leaky, "falsepositive2", feed, payloads);
        var (full, _) = await RunAsync(_full, "falsepositive2", feed, payloads);
        Assert.That(leaky, Is.EqualTo(full));
        Assert.That(leaky[^1], Does.Contain("\"inserted\":1").And.Contain("\"deleted\":1"));
        Assert.That(_leakyLogs.Lines.Any(l => l.Contains($"Run {lastRun} takes the full diff: sums differ", StringComparison.Ordinal)), Is.True,
            string.Join('\n', _leakyLogs.Lines.Where(l => l.Contains(lastRun, StringComparison.Ordinal))));
        // 300 rows known: the 299 left and the false positive, none of them staged until the proof failed.
        Assert.That(Restaged(_leakyLogs, lastRun), Is.EqualTo(300));
    }

    [Test]
    public async Task ANewSchemaVersion_TakesTheFullDiff_WithTheSameOutcome()
    {
        var results = new List<List<string>>();
        string? lastRun = null;
        foreach (var h in new[] { _proven, _full })
        {
            const string id = IngestionHarness.Agency + ".newschema";
            await h.Steward.PostAsync("/api/v1/datasets", new
            {
                id, title = "newschema", keyFields = new[] { "code" }, classification = "internal", compatibility = "NONE", schema = Schema,
                feed = new { source = "upload", format = "csv", rejectThreshold = 0.9 },
            });
            var states = new List<string>();
            var run = await h.PushAsync(id, Payload());
            states.Add(Describe(run) + "\n" + await StateAsync(h, id));
            var stricter = JsonNode.Parse(Schema.ToJsonString())!.AsObject();
            // n100 to n299 are too long now: rejected, their records kept.
            stricter["properties"]!["name"]!["maxLength"] = 3;
            await h.Steward.PostAsync($"/api/v1/datasets/{id}/schemas", stricter);
            run = await h.PushAsync(id, Payload(reverse: true));
            states.Add(Describe(run) + "\n" + await StateAsync(h, id));
            results.Add(states);
            lastRun ??= run["id"]!.ToString();
        }
        Assert.That(results[0], Is.EqualTo(results[1]));
        Assert.That(Proved(_provenLogs, lastRun!), Is.False);
    }

    static bool Proved(CapturedLogs logs, string runId) => logs.Lines.Any(l => l.Contains($"Run {runId} proved", StringComparison.Ordinal));

    /// <summary>How many known rows the run staged from its spill once its proof failed (-1: it logged no refusal).</summary>
    static long Restaged(CapturedLogs logs, string runId)
    {
        var refused = logs.Lines.FirstOrDefault(l => l.Contains($"Run {runId} takes the full diff", StringComparison.Ordinal));
        return refused is null ? -1 : long.Parse(Regex.Match(refused, @"; (\d+) known rows staged from the spill").Groups[1].Value, CultureInfo.InvariantCulture);
    }

    /// <summary>Registers the dataset and pushes the payloads; returns, per push, the run and what the database holds after it, and the last run's id.</summary>
    static async Task<(List<string>, string)> RunAsync(IngestionHarness h, string name, object feed, string[] payloads)
    {
        var id = await h.RegisterAsync(name, ["code"], Schema, feed);
        var result = new List<string>();
        var last = "";
        foreach (var payload in payloads)
        {
            var run = await h.PushAsync(id, payload);
            result.Add(Describe(run) + "\n" + await StateAsync(h, id));
            last = run["id"]!.ToString();
        }
        return (result, last);
    }

    static string Describe(JsonNode run) =>
        $"{IngestionHarness.Status(run)} v{run["publishedVersion"]} counts={run["counts"]!.ToJsonString()} error={run["error"]}";

    /// <summary>Every column of the dataset's records, its versions' rows, its quarantine and its notifications (run ids aside).</summary>
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
            "select version, (payload::jsonb - 'publishedAt')::text from dx.outbox where dataset_id = $1 order by version",
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
}
