using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using DataExchange.Core.Datasets.Schemas;
using DataExchange.Core.Ingestion;
using NUnit.Framework;

namespace DataExchange.Core.Tests.Datasets.Schemas;

/// <summary>
/// Issue 13, item 12: a catastrophic <c>pattern</c> and a long <c>uniqueItems</c> array cost time linear in the
/// record, and a record whose patterns cannot finish within its budget is quarantined as <c>pattern-timeout</c>
/// (never taken as "does not match", which <c>not</c> would turn into valid). Costs are ratios against a
/// baseline of the same size measured in the same run.
/// </summary>
[TestFixture]
public sealed class PatternAndUniqueItemsCostTests
{
    // ^(a+)+$ backtracks exponentially on "aaa…a!"; the lookahead makes the second one unfit for the
    // linear engine, so it keeps the backtracking engine and its timeout.
    const string Catastrophic = "^(a+)+$";
    const string CatastrophicWithLookahead = "^(?=a)(a+)+$";

    static Task<DatasetSchema> WithLookaheadAsync(string schema) =>
        DatasetSchema.LoadAsync(schema.Replace("PATTERN", CatastrophicWithLookahead, StringComparison.Ordinal), 1);

    static string Evil(int n) => new string('a', n) + "!";

    static async Task<DatasetSchema> SchemaAsync(string property) =>
        await DatasetSchema.LoadAsync("""{"type":"object","properties":{"a":""" + property + ""","id":{"type":"string"}}}""", 1);

    [Test]
    public async Task CatastrophicPattern_OnA4KbPayload_CostsAboutWhatALinearPatternCosts()
    {
        // The payload: 4 KB of 30-character strings that make ^(a+)+$ backtrack (110 ms each before).
        var records = Enumerable.Range(0, 4096 / 40).Select(i => JsonElement.Parse($$"""{"a":"{{Evil(30)}}"}""")).ToArray();
        var catastrophic = await SchemaAsync($$"""{"type":"string","pattern":"{{Catastrophic}}"}""");
        var linear = await SchemaAsync("""{"type":"string","pattern":"^[a-z]+$"}""");
        double Cost(DatasetSchema s) => Best(() => { foreach (var r in records) Assert.That(s.Validate(r).Single().Code, Is.EqualTo("pattern")); });
        Cost(catastrophic);
        Cost(linear);
        var ratio = Cost(catastrophic) / Cost(linear);
        TestContext.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"^(a+)+$ vs ^[a-z]+$ over {records.Length} strings of 31 characters: {ratio:F1}x"));
        // Backtracking, each string ran into the 100 ms timeout: thousands of times the linear pattern.
        Assert.That(ratio, Is.LessThan(20));
    }

    [Test]
    public async Task CatastrophicPattern_OnOne4KbString_CostsAboutWhatALinearPatternCosts()
    {
        var record = JsonElement.Parse($$"""{"a":"{{Evil(4096)}}"}""");
        var catastrophic = await SchemaAsync($$"""{"type":"string","pattern":"{{Catastrophic}}"}""");
        var linear = await SchemaAsync("""{"type":"string","pattern":"^[a-z]+$"}""");
        Assert.That(catastrophic.Validate(record).Single().Code, Is.EqualTo("pattern"));
        var ratio = Best(() => catastrophic.Validate(record)) / Best(() => linear.Validate(record));
        TestContext.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"^(a+)+$ vs ^[a-z]+$ on one 4 KB string: {ratio:F1}x"));
        Assert.That(ratio, Is.LessThan(20));
    }

    [Test]
    public async Task UniqueItems_On20kItems_CostsAboutWhatTheSameArrayWithoutItCosts()
    {
        // Numbers, strings and objects, all distinct; the quadratic check made 2·10^8 comparisons.
        var items = string.Join(",", Enumerable.Range(0, 20_000).Select(i => (i % 3) switch
        {
            0 => i.ToString(CultureInfo.InvariantCulture),
            1 => $"\"s{i}\"",
            _ => $$"""{"n":{{i}},"t":[{{i}}.5,"x"]}""",
        }));
        var record = JsonElement.Parse($$"""{"a":[{{items}}]}""");
        // The baseline checks every item too (its type), as a real schema does.
        var unique = await SchemaAsync("""{"type":"array","items":{"type":["integer","string","object"]},"uniqueItems":true}""");
        var plain = await SchemaAsync("""{"type":"array","items":{"type":["integer","string","object"]}}""");
        Assert.That(unique.Validate(record), Is.Empty);
        var (withUnique, without) = (Best(() => unique.Validate(record)), Best(() => plain.Validate(record)));
        TestContext.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"uniqueItems on 20,000 items: {withUnique / without:F1}x the same array without it ({withUnique * 1000 / Stopwatch.Frequency:F1} ms vs {without * 1000 / Stopwatch.Frequency:F1} ms)"));
        // Pairwise, it was 54,000x.
        Assert.That(withUnique / without, Is.LessThan(50));
    }

    [TestCase("[1, 1.0]", 0, 1)]
    [TestCase("[2, 1e2, 100]", 1, 2)]
    [TestCase("[0, -0.0]", 0, 1)]
    [TestCase("[\"a\", [1.50, {\"x\": 0.1}], [15e-1, {\"x\": 1e-1}]]", 1, 2)]
    [TestCase("[{\"a\": 1, \"b\": 2}, {\"b\": 2, \"a\": 1.00}]", 0, 1)]
    [TestCase("[1e400, 10e399]", 0, 1)]
    [TestCase("[7, \"x\", null, true, 7.000]", 0, 4)]
    public async Task UniqueItems_FindsTheFirstPairOfEqualItems_NumbersByValue(string array, int first, int second)
    {
        var schema = await SchemaAsync("""{"type":"array","uniqueItems":true}""");
        var error = schema.Validate(JsonElement.Parse($$"""{"a":{{array}}}""")).Single();
        Assert.That((error.Code, error.Message), Is.EqualTo(("uniqueItems", $"/a has equal items at {first} and {second}.")));
    }

    [TestCase("[1, \"1\", true, null, [1], {\"1\": 1}]")]
    [TestCase("[1, 1.5, 15, 0.15, 1e-1, 10]")]
    [TestCase("[{\"a\": 1}, {\"a\": 1, \"b\": 1}, {\"b\": 1}, [1, 2], [2, 1]]")]
    [TestCase("[1e400, 1e401, -1e400]")]
    public async Task UniqueItems_AcceptsItemsThatOnlyLookAlike(string array)
    {
        var schema = await SchemaAsync("""{"type":"array","uniqueItems":true}""");
        Assert.That(schema.Validate(JsonElement.Parse($$"""{"a":{{array}}}""")), Is.Empty);
    }

    [Test]
    public async Task RecordOverItsPatternBudget_IsQuarantinedAsPatternTimeout_AtThePointerOfTheString()
    {
        var schema = await WithLookaheadAsync("""
            {"type":"object","properties":{"id":{"type":"string"},
             "tags":{"type":"array","items":{"type":"object","properties":{"v":{"type":"string","pattern":"PATTERN"}}}}}}
            """);
        var validator = new RecordValidator(schema, ["id"]);
        var record = $$"""{"id":"k1","tags":[{"v":"aaa"},{"v":"{{Evil(40)}}"},{"v":"{{Evil(40)}}"}]}""";
        var (staged, quarantined) = validator.Process(new SourceRecord(7, null, record, record), []);
        Assert.That(staged, Is.Null);
        var error = quarantined!.Value.Errors.Single();
        Assert.Multiple(() =>
        {
            Assert.That((error.Code, error.Pointer, error.SchemaPointer), Is.EqualTo(("pattern-timeout", "/tags/1/v", "/properties/tags/items/properties/v/pattern")));
            Assert.That(error.Message, Does.Contain(CatastrophicWithLookahead));
            Assert.That(quarantined.Value.Key, Is.EqualTo("k1"), "a quarantined record keeps its key, so a snapshot does not delete its published record");
        });
    }

    [Test]
    public async Task PatternTimeout_UnderNot_IsNotTakenAsNoMatch()
    {
        // Before: a timed-out match answered "no match", so "not" made the record valid.
        var schema = await WithLookaheadAsync("""
            {"type":"object","properties":{"id":{"type":"string"},"a":{"not":{"pattern":"PATTERN"}}}}
            """);
        var validator = new RecordValidator(schema, ["id"]);
        var record = $$"""{"id":"k1","a":"{{Evil(40)}}"}""";
        var error = validator.Process(new SourceRecord(2, null, record, record), []).Quarantined!.Value.Errors.Single();
        Assert.That((error.Code, error.Pointer), Is.EqualTo(("pattern-timeout", "/a")));
    }

    [Test]
    public async Task CsvRowOverItsPatternBudget_IsQuarantinedAsPatternTimeout_AtItsColumn()
    {
        var schema = await WithLookaheadAsync("""
            {"type":"object","properties":{"id":{"type":"string"},"c/d":{"type":"string","pattern":"PATTERN"}}}
            """);
        var validator = new RecordValidator(schema, ["id"]);
        var error = validator.Process(new SourceRecord(2, ["k1", Evil(40)], null, "k1," + Evil(40)), ["id", "c/d"]).Quarantined!.Value.Errors.Single();
        Assert.That((error.Code, error.Pointer, error.SchemaPointer), Is.EqualTo(("pattern-timeout", "/c~1d", "/properties/c~1d/pattern")));
    }

    [Test]
    public async Task RecordWithManyCatastrophicStrings_StopsAtTheFirstThatRunsOutOfTime()
    {
        var schema = await WithLookaheadAsync("""
            {"type":"object","properties":{"id":{"type":"string"},"a":{"type":"array","items":{"type":"string","pattern":"PATTERN"}}}}
            """);
        var validator = new RecordValidator(schema, ["id"]);
        var strings = string.Join(",", Enumerable.Repeat($"\"{Evil(40)}\"", 20));
        var record = $$"""{"id":"k1","a":[{{strings}}]}""";
        var errors = validator.Process(new SourceRecord(2, null, record, record), []).Quarantined!.Value.Errors;
        Assert.That(errors.Select(e => (e.Code, e.Pointer)), Is.EqualTo(new[] { ("pattern-timeout", "/a/0") }));
    }

    [Test]
    public async Task RecordWhosePatternsTakeLongTogether_StopsAtItsBudget()
    {
        // Each string backtracks 2^22 steps (tens of milliseconds, about the match timeout); twenty of them exceed 20 ms together.
        var schema = await WithLookaheadAsync("""
            {"type":"object","properties":{"id":{"type":"string"},"a":{"type":"array","items":{"type":"string","pattern":"PATTERN"}}}}
            """);
        var validator = new RecordValidator(schema, ["id"]) { PatternBudget = TimeSpan.FromMilliseconds(20) };
        var strings = string.Join(",", Enumerable.Repeat($"\"{Evil(22)}\"", 20));
        var record = $$"""{"id":"k1","a":[{{strings}}]}""";
        var errors = validator.Process(new SourceRecord(2, null, record, record), []).Quarantined!.Value.Errors;
        TestContext.Out.WriteLine(errors.Single().Message);
        Assert.That(errors.Single().Code, Is.EqualTo("pattern-timeout"), "without a record budget, each of the 20 strings is a 'pattern' error");
    }

    /// <summary>The best of five timings of <paramref name="action"/>, in ticks (the least disturbed by other work on the machine).</summary>
    static double Best(Action action)
    {
        var best = double.MaxValue;
        for (var i = 0; i < 5; i++)
        {
            var t = Stopwatch.GetTimestamp();
            action();
            best = Math.Min(best, Stopwatch.GetTimestamp() - t);
        }
        return best;
    }
}
