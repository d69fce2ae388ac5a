using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using DataExchange.IntegrationTests.Ingestion;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Security;

/// <summary>
/// Issue 13, item 12: a schema pattern that backtracks catastrophically cannot keep a worker busy. ^(a+)+$ runs on
/// the linear engine and answers exactly; a pattern only the backtracking engine can run (a lookahead) gets the
/// record's time budget, and a record past it is quarantined as pattern-timeout; a run with more such records than
/// Ingestion:MaxPatternTimeouts (here 3) fails. Before, every string took up to 100 ms and ended "does not match".
/// </summary>
[TestFixture, Category("Security")]
public sealed class PatternTimeoutTests
{
    static readonly JsonObject Schema = JsonNode.Parse("""
        {"type":"object","required":["id"],"properties":{"id":{"type":"integer"},
         "code":{"type":"string","pattern":"^(a+)+$"},"tag":{"type":"string","pattern":"^(?=a)(a+)+$"}}}
        """)!.AsObject();

    IngestionHarness _h = null!;

    [OneTimeSetUp]
    public async Task StartAsync() =>
        _h = await IngestionHarness.StartAsync("pattern_timeouts", new Dictionary<string, string?> { ["Ingestion:MaxPatternTimeouts"] = "3" });

    [OneTimeTearDown]
    public void Stop() => _h.Dispose();

    static string Evil(int n) => new string('a', n) + "!";

    static string Line(int id, string code = "aaa", string tag = "aa") => $$"""{"id":{{id}},"code":"{{code}}","tag":"{{tag}}"}""" + "\n";

    [Test]
    public async Task CatastrophicStrings_GetExactAnswersOrPatternTimeout_AndTheOtherRecordsArePublished()
    {
        var id = await _h.RegisterAsync("catastrophic", ["id"], Schema, new { source = "upload", format = "ndjson", rejectThreshold = 0.5 });
        var payload = new StringBuilder();
        for (var i = 1; i <= 30; i++) payload.Append(Line(i));
        for (var i = 31; i <= 35; i++) payload.Append(Line(i, code: Evil(4096)));
        for (var i = 36; i <= 37; i++) payload.Append(Line(i, tag: Evil(40)));

        var run = await _h.PushAsync(id, payload.ToString());
        var rejected = (await _h.Steward.GetAsync($"/api/v1/datasets/{id}/runs/{run["id"]}/rejected?limit=100"))["items"]!.AsArray();
        var errors = rejected.ToDictionary(r => r!["line"]!.GetValue<long>(), r => r!["errors"]!.AsArray().Single()!);
        Assert.Multiple(async () =>
        {
            Assert.That(IngestionHarness.Status(run), Is.EqualTo("succeeded"), run.ToJsonString());
            Assert.That((IngestionHarness.Count(run, "inserted"), IngestionHarness.Count(run, "rejected")), Is.EqualTo((30L, 7L)));
            Assert.That((await _h.RecordsAsync(id)).Select(r => r["id"]!.GetValue<int>()), Is.EquivalentTo(Enumerable.Range(1, 30)));
            Assert.That(Enumerable.Range(31, 5).Select(l => (Code(errors[l]), Pointer(errors[l]))), Is.All.EqualTo(("pattern", "/code")),
                "^(a+)+$ on 4 KB of 'a' and a '!': a definite no-match from the linear engine");
            Assert.That(Enumerable.Range(36, 2).Select(l => (Code(errors[l]), Pointer(errors[l]), errors[l]["schemaPointer"]!.GetValue<string>())),
                Is.All.EqualTo(("pattern-timeout", "/tag", "/properties/tag/pattern")));
            Assert.That(errors[36]["message"]!.GetValue<string>(), Does.Contain("^(?=a)(a+)+$").And.Contain("time budget"));
        });
    }

    [Test]
    public async Task MoreRecordsPastTheirBudgetThanMaxPatternTimeouts_FailTheRun_AndPublishNothing()
    {
        var id = await _h.RegisterAsync("too-many", ["id"], Schema, new { source = "upload", format = "ndjson", rejectThreshold = 1.0 });
        var first = await _h.PushAsync(id, Line(1) + Line(2));
        Assert.That(IngestionHarness.Status(first), Is.EqualTo("succeeded"));
        var payload = new StringBuilder();
        for (var i = 1; i <= 10; i++) payload.Append(Line(i, tag: Evil(40)));

        var run = await _h.PushAsync(id, payload.ToString());
        Assert.Multiple(async () =>
        {
            Assert.That(IngestionHarness.Status(run), Is.EqualTo("failed"), run.ToJsonString());
            Assert.That(run["error"]!.GetValue<string>(), Does.Contain("More than 3 records").And.Contain("Ingestion:MaxPatternTimeouts"));
            Assert.That(await FaultProbe.VersionsAsync(_h.ConnectionString, id), Is.EqualTo(1), "nothing was published");
            Assert.That((await _h.RecordsAsync(id)).Select(r => r["tag"]!.GetValue<string>()), Is.All.EqualTo("aa"));
        });
    }

    static string Code(JsonNode error) => error["code"]!.GetValue<string>();

    static string Pointer(JsonNode error) => error["pointer"]!.GetValue<string>();
}
