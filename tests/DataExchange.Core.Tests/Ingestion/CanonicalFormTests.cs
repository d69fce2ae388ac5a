using DataExchange.Core.Datasets.Schemas;
using DataExchange.Core.Ingestion;
using NUnit.Framework;

namespace DataExchange.Core.Tests.Ingestion;

/// <summary>Issue 12: the canonical form (README, "Canonical form") that is hashed and staged into jsonb.</summary>
[TestFixture]
public sealed class CanonicalFormTests
{
    const string Schema = """{"type":"object","properties":{"id":{"type":"string"},"n":{"type":"number","maximum":200}}}""";

    static async Task<RecordValidator> ValidatorAsync() => new(await DatasetSchema.LoadAsync(Schema, 1), ["id"]);

    static async Task<string> CanonicalAsync(string json) =>
        (await ValidatorAsync()).Process(new SourceRecord(1, null, json, json), []).Staged!.Value.Data;

    [TestCase("""{"id":"a","n":1E2}""", """{"id":"a","n":100}""")]
    [TestCase("""{"id":"a","n":1.50}""", """{"id":"a","n":1.50}""")]
    [TestCase("""{"id":"a","n":1.5e1}""", """{"id":"a","n":15}""")]
    [TestCase("""{"id":"a","n":1e-3}""", """{"id":"a","n":0.001}""")]
    [TestCase("""{"id":"a","n":-0}""", """{"id":"a","n":0}""")]
    [TestCase("""{"id":"a","n":-0.0}""", """{"id":"a","n":0.0}""")]
    [TestCase("""{"id":"a","n":1e-30}""", """{"id":"a","n":0.000000000000000000000000000001}""")]
    [TestCase("""{"n":12345678901234567890.123456789012345e-20,"id":"a"}""", """{"id":"a","n":0.12345678901234567890123456789012345}""")]
    [TestCase("""{ "id" : "a" , "x" : [ 3 , 1 , {"b":true,"a":null} ] }""", """{"id":"a","x":[3,1,{"a":null,"b":true}]}""")]
    public async Task Numbers_AreWrittenInNumericText_AndMembersSorted(string json, string canonical)
    {
        Assert.That(await CanonicalAsync(json), Is.EqualTo(canonical));
    }

    [Test]
    public async Task Strings_EscapeOnlyQuoteBackslashAndControlCharacters()
    {
        var json = """{"id":"a","s":"\"\\\/\b\f\n\r\t\u0001\u001f\u007f\u0085\u2028\u2029\u00e9\ud840\udc00 😀"}""";
        Assert.That(await CanonicalAsync(json), Is.EqualTo("{\"id\":\"a\",\"s\":\"\\\"\\\\/\\b\\f\\n\\r\\t\\u0001\\u001f\u007f\u0085\u2028\u2029é𠀀 😀\"}"));
    }

    [Test]
    public async Task Members_AreSortedByUtf16CodeUnits_NotByUtf8Bytes()
    {
        // U+FF21 sorts after a surrogate pair in UTF-16 but before it in UTF-8 (EF BC A1 < F0 9F 98 80).
        var json = """{"\uff21":1,"😀":2,"é":3,"a":4,"Z":5,"id":"k","ab":6}""";
        Assert.That(await CanonicalAsync(json), Is.EqualTo("""{"Z":5,"a":4,"ab":6,"id":"k","é":3,"😀":2,"Ａ":1}"""));
    }

    [Test]
    public async Task DuplicateNames_KeepTheLastValue_AsJsonbDoes()
    {
        Assert.That(await CanonicalAsync("""{"id":"a","n":1,"n":2}"""), Is.EqualTo("""{"id":"a","n":2}"""));
    }

    [Test]
    public async Task ANumberNumericCannotHold_IsQuarantined_WithItsKey()
    {
        var validator = await ValidatorAsync();
        foreach (var n in new[] { "1e131072", "1e-16384", "1e99999999999" })
        {
            var json = $$"""{"id":"a","n":{{n}}}""";
            var q = validator.Process(new SourceRecord(1, null, json, json), []).Quarantined!.Value;
            Assert.That((q.Errors.Single().Code, q.Errors.Single().Pointer, q.Key), Is.EqualTo(("number-out-of-range", "/n", "a")), n);
            Assert.That(q.Errors.Single().Message, Does.Contain("16383").And.Contain("/n"));
        }
        var ok = """{"id":"b","x":1e131071}""";
        Assert.That(validator.Process(new SourceRecord(2, null, ok, ok), []).Staged!.Value.Data, Has.Length.EqualTo(131072 + 15));
    }

    [Test]
    public async Task ALoneSurrogate_IsQuarantinedAsInvalidUnicode()
    {
        var validator = await ValidatorAsync();
        foreach (var json in new[] { """{"id":"a","s":"x\ud800"}""", """{"id":"a","\udc00":1}""", """{"id":"a","s":["\ud800\ud800"]}""" })
        {
            var q = validator.Process(new SourceRecord(1, null, json, json), []).Quarantined!.Value;
            Assert.That(q.Errors.Select(e => e.Code), Is.EqualTo(new[] { "invalid-unicode" }), string.Join("; ", q.Errors));
        }
    }

    [Test]
    public async Task AKeyLongerThan1024Bytes_IsQuarantinedWithoutAKey()
    {
        var validator = await ValidatorAsync();
        var fits = $$"""{"id":"{{new string('键', 341)}}"}""";
        var tooLong = $$"""{"id":"{{new string('键', 342)}}"}""";
        Assert.That(validator.Process(new SourceRecord(1, null, fits, fits), []).Staged, Is.Not.Null);
        var q = validator.Process(new SourceRecord(2, null, tooLong, tooLong), []).Quarantined!.Value;
        Assert.That((q.Errors.Single().Code, q.Key), Is.EqualTo(("key-too-long", (string?)null)));
        Assert.That(q.Errors.Single().Message, Does.Contain("1024"));
        var row = new SourceRecord(3, [new string('x', 1025), "1"], null, "");
        Assert.That(validator.Process(row, ["id", "n"]).Quarantined!.Value.Errors.Single().Code, Is.EqualTo("key-too-long"));
    }

    [Test]
    public async Task ARejectedRow_KeepsItsKey_AndQuotesTheCellAsWritten()
    {
        var validator = await ValidatorAsync();
        var q = validator.Process(new SourceRecord(1, ["k", "362"], null, "k,362"), ["id", "n"]).Quarantined!.Value;
        Assert.That((q.Key, q.Errors.Single().Code), Is.EqualTo(("k", "maximum")));
        Assert.That(q.Errors.Single().Message, Does.Contain("'362'").And.Not.Contain("362.0"));
        Assert.That(validator.Process(new SourceRecord(2, ["k", "131"], null, "k,131"), ["id", "n"]).Staged!.Value.Data, Is.EqualTo("""{"id":"k","n":131}"""));
    }

    [Test]
    public async Task ANumberKey_IsItsCanonicalText()
    {
        var validator = new RecordValidator(await DatasetSchema.LoadAsync("""{"type":"object"}""", 1), ["id", "n"]);
        var json = """{"id":1.5e1,"n":-0}""";
        Assert.That(validator.Process(new SourceRecord(1, null, json, json), []).Staged!.Value.Key, Is.EqualTo("15\u001f0"));
    }
}
