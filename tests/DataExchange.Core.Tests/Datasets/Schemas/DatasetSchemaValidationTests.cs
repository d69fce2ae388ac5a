using DataExchange.Core.Datasets.Schemas;
using System.Text.Json;
using NUnit.Framework;

namespace DataExchange.Core.Tests.Datasets.Schemas;

[TestFixture]
public sealed class DatasetSchemaValidationTests
{
    static async Task<IReadOnlyList<RecordError>> ValidateAsync(string property, string value)
    {
        var schema = await DatasetSchema.LoadAsync("""{"type":"object","properties":{"a":""" + property + "}}", 3);
        // Parsed as ingestion parses (System.Text.Json: date-like strings stay strings, numbers keep their text).
        return schema.Validate(JsonElement.Parse("""{"a":""" + value + "}"));
    }

    [TestCase("date", "\"2024-02-29\"", "\"2023-02-29\"")]
    [TestCase("date-time", "\"2024-01-01T10:00:00+08:00\"", "\"2024-01-01T10:00:00\"")]
    [TestCase("date-time", "\"2024-01-01T10:00:00Z\"", "\"2024-01-01T10:00:00Z\\n\"")]
    [TestCase("email", "\"a.b@example.cn\"", "\"a..b@example.cn\"")]
    [TestCase("uri", "\"https://example.cn/a?b=c\"", "\"example.cn/a\"")]
    [TestCase("uri", "\"https://example.cn/a\"", "\"https://example.cn/a b\"")]
    [TestCase("uuid", "\"0f8fad5b-d9cb-469f-a165-70867728950e\"", "\"0f8fad5bd9cb469fa16570867728950e\"")]
    [TestCase("ipv4", "\"192.168.0.1\"", "\"192.168.0.01\"")]
    [TestCase("cn-resident-id", "\"11010519491231002X\"", "\"110105194912310021\"")]
    [TestCase("cn-uscc", "\"91350100M000100Y43\"", "\"91350100M000100Y44\"")]
    public async Task Format_IsEnforced(string format, string valid, string invalid)
    {
        var property = $$"""{"type":"string","format":"{{format}}"}""";
        Assert.That(await ValidateAsync(property, valid), Is.Empty);
        var error = (await ValidateAsync(property, invalid)).Single();
        Assert.That((error.Code, error.Pointer, error.SchemaPointer, error.SchemaVersion), Is.EqualTo(("format", "/a", "/properties/a/format", 3)));
    }

    [Test]
    public async Task Lengths_CountCodePoints_NotUtf16Units()
    {
        // "𠀀" (U+20000) is one character but two UTF-16 units.
        Assert.That(await ValidateAsync("""{"type":"string","maxLength":2}""", "\"𠀀𠀀\""), Is.Empty);
        Assert.That(await ValidateAsync("""{"type":"string","minLength":2}""", "\"𠀀\"").ContinueWith(t => t.Result.Single().Code), Is.EqualTo("minLength"));
    }

    [Test]
    public async Task Required_AppliesToObjectsOnly()
    {
        Assert.That(await ValidateAsync("""{"required":["x"]}""", "\"text\""), Is.Empty);
        var error = (await ValidateAsync("""{"required":["x"]}""", "{}")).Single();
        Assert.That((error.Code, error.Pointer, error.SchemaPointer), Is.EqualTo(("required", "/a/x", "/properties/a/required")));
    }

    [Test]
    public async Task Integer_AcceptsZeroFraction()
    {
        Assert.That(await ValidateAsync("""{"type":"integer"}""", "2.0"), Is.Empty);
        Assert.That((await ValidateAsync("""{"type":"integer"}""", "2.5")).Single().Code, Is.EqualTo("type"));
    }

    [Test]
    public async Task ClosedModel_ReportsEachUnknownProperty()
    {
        var schema = await DatasetSchema.LoadAsync("""{"type":"object","properties":{"a":{}},"additionalProperties":false}""", 1);
        var errors = schema.Validate(JsonElement.Parse("""{"a":1,"b":2,"c":3}"""));
        Assert.That(errors.Select(e => e.Pointer), Is.EqualTo(new[] { "/b", "/c" }));
    }

    [Test]
    public async Task Pattern_DollarDoesNotMatchBeforeTrailingNewline()
    {
        Assert.That((await ValidateAsync("""{"type":"string","pattern":"^ab$"}""", "\"ab\\n\"")).Single().Code, Is.EqualTo("pattern"));
    }

    [Test]
    public async Task Coerce_EmptyCell_IsNullOnlyWhenAllowed()
    {
        var schema = await DatasetSchema.LoadAsync("""{"type":"object","properties":{"n":{"type":["integer","null"]},"m":{"type":"integer"}},"required":["m"]}""", 1);
        var record = new Dictionary<string, JsonItem>();
        Assert.That(schema.Coerce(record, "n", ""), Is.Null);
        Assert.That(schema.Coerce(record, "m", ""), Is.Null);
        Assert.That(record.Keys, Is.EqualTo(new[] { "n" }));
        Assert.That(record["n"].Kind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(schema.Validate(JsonElement.Parse("""{"n":null}""")).Single().Code, Is.EqualTo("required"));
        Assert.That(schema.Coerce(record, "m", "x")!.Code, Is.EqualTo("type"));
    }
}
