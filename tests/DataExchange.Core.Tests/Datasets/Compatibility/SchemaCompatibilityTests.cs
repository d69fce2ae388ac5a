using System.Text.Json.Nodes;
using DataExchange.Core.Datasets.Compatibility;
using NUnit.Framework;

namespace DataExchange.Core.Tests.Datasets.Compatibility;

/// <summary>
/// Each rule as a pair (looser schema, stricter schema): moving looser → stricter breaks BACKWARD
/// (new readers reject old data) and FULL; moving stricter → looser is BACKWARD-compatible but
/// breaks FORWARD. Every rule is therefore checked in both directions.
/// </summary>
[TestFixture]
public sealed class SchemaCompatibilityTests
{
    static readonly object[] Rules =
    [
        R("TYPE_NARROWED", """{"type":["string","null"]}""", """{"type":"string"}"""),
        R("TYPE_NARROWED", """{"type":"number"}""", """{"type":"integer"}"""),
        R("ENUM_ARRAY_NARROWED", """{"enum":["a","b"]}""", """{"enum":["a"]}"""),
        R("ENUM_ARRAY_NARROWED", """{"type":"string"}""", """{"type":"string","enum":["a"]}"""),
        R("MAX_LENGTH_ADDED", """{"type":"string"}""", """{"type":"string","maxLength":5}"""),
        R("MAX_LENGTH_DECREASED", """{"maxLength":10}""", """{"maxLength":5}"""),
        R("MIN_LENGTH_ADDED", """{"type":"string"}""", """{"type":"string","minLength":2}""", "/minLength"),
        R("MIN_LENGTH_INCREASED", """{"minLength":1}""", """{"minLength":2}"""),
        R("PATTERN_ADDED", """{"type":"string"}""", """{"type":"string","pattern":"^a"}"""),
        R("FORMAT_ADDED", """{"type":"string"}""", """{"type":"string","format":"date"}"""),
        R("MAXIMUM_ADDED", """{"type":"number"}""", """{"type":"number","maximum":9}"""),
        R("MAXIMUM_DECREASED", """{"maximum":10}""", """{"maximum":9}"""),
        R("MINIMUM_ADDED", """{"type":"number"}""", """{"type":"number","minimum":0}"""),
        R("MINIMUM_INCREASED", """{"minimum":0}""", """{"minimum":1}"""),
        R("EXCLUSIVE_MAXIMUM_DECREASED", """{"exclusiveMaximum":10}""", """{"exclusiveMaximum":9}"""),
        R("EXCLUSIVE_MINIMUM_INCREASED", """{"exclusiveMinimum":0}""", """{"exclusiveMinimum":1}"""),
        R("MULTIPLE_OF_ADDED", """{"type":"integer"}""", """{"type":"integer","multipleOf":2}"""),
        R("MULTIPLE_OF_CHANGED", """{"multipleOf":2}""", """{"multipleOf":4}"""),
        R("MAX_ITEMS_DECREASED", """{"maxItems":3}""", """{"maxItems":2}"""),
        R("MIN_ITEMS_INCREASED", """{"minItems":0}""", """{"minItems":1}"""),
        R("UNIQUE_ITEMS_ADDED", """{"type":"array"}""", """{"type":"array","uniqueItems":true}"""),
        R("MAX_PROPERTIES_ADDED", """{"type":"object"}""", """{"type":"object","maxProperties":3}"""),
        R("MIN_PROPERTIES_INCREASED", """{"minProperties":1}""", """{"minProperties":2}"""),
        R("REQUIRED_ATTRIBUTE_ADDED", Obj("""{"a":{"type":"string"}}""", "[]"), Obj("""{"a":{"type":"string"}}""", """["a"]""")),
        R("ADDITIONAL_PROPERTIES_ADDED", """{"type":"object","properties":{"a":{}}}""", """{"type":"object","properties":{"a":{}},"additionalProperties":false}"""),
        R("ADDITIONAL_PROPERTIES_NARROWED", """{"type":"object"}""", """{"type":"object","additionalProperties":{"type":"string"}}"""),
        R("PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL",
            """{"type":"object","properties":{"a":{},"b":{"type":"string"}},"additionalProperties":{"type":"string"}}""",
            """{"type":"object","properties":{"a":{}},"additionalProperties":false}""", "/properties/b"),
        R("PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
            """{"type":"object","properties":{"b":{"type":"integer"}},"additionalProperties":{"type":"integer"}}""",
            """{"type":"object","additionalProperties":{"type":"integer","maximum":5}}""", "/properties/b"),
        R("PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL", """{"type":"object"}""", """{"type":"object","properties":{"b":{"type":"string"}}}"""),
        R("PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
            """{"type":"object","additionalProperties":{"type":"string"}}""",
            """{"type":"object","properties":{"b":{"type":"string","maxLength":2}},"additionalProperties":{"type":"string"}}"""),
        R("SUM_TYPE_NARROWED", """{"anyOf":[{"type":"string"},{"type":"integer"}]}""", """{"anyOf":[{"type":"string"}]}"""),
        R("PRODUCT_TYPE_EXTENDED", """{"allOf":[{"type":"string"}]}""", """{"allOf":[{"type":"string"},{"maxLength":3}]}"""),
        R("COMBINED_TYPE_ADDED", """{}""", """{"oneOf":[{"type":"string"},{"type":"integer"}]}""", "/oneOf"),
        R("NOT_TYPE_ADDED", """{"type":"string"}""", """{"type":"string","not":{"enum":["x"]}}"""),
        R("SCHEMA_NARROWED", Obj("""{"a":true}""", "[]"), Obj("""{"a":false}""", "[]"), "/properties/a"),
        R("MAX_LENGTH_DECREASED", Obj("""{"a":{"type":"string","maxLength":9}}""", "[]"), Obj("""{"a":{"type":"string","maxLength":8}}""", "[]")),
        R("MAX_LENGTH_DECREASED", """{"type":"array","items":{"maxLength":9}}""", """{"type":"array","items":{"maxLength":8}}""", "/items/maxLength"),
        R("MAX_LENGTH_DECREASED",
            """{"definitions":{"s":{"maxLength":9}},"type":"object","properties":{"a":{"$ref":"#/definitions/s"}}}""",
            """{"definitions":{"s":{"maxLength":8}},"type":"object","properties":{"a":{"$ref":"#/definitions/s"}}}""", "/properties/a/maxLength"),
    ];

    static object[] R(string rule, string looser, string stricter, string? pointer = null) => [rule, looser, stricter, pointer ?? ""];

    static string Obj(string properties, string required) =>
        $$"""{"type":"object","properties":{{properties}},"required":{{required}},"additionalProperties":false}""";

    static IReadOnlyList<CompatibilityIssue> Check(string oldSchema, string newSchema, string mode) =>
        SchemaCompatibility.Check(JsonNode.Parse(oldSchema)!.AsObject(), JsonNode.Parse(newSchema)!.AsObject(), mode);

    [TestCaseSource(nameof(Rules))]
    public void Backward_Refuses_Tightening(string rule, string looser, string stricter, string pointer)
    {
        var issues = Check(looser, stricter, "BACKWARD");
        Assert.That(issues.Select(i => i.Rule), Does.Contain(rule));
        if (pointer.Length > 0) Assert.That(issues.First(i => i.Rule == rule).Pointer, Is.EqualTo(pointer));
    }

    [TestCaseSource(nameof(Rules))]
    public void Backward_Accepts_Relaxing(string rule, string looser, string stricter, string pointer)
    {
        Assert.That(Check(stricter, looser, "BACKWARD"), Is.Empty, rule);
    }

    [TestCaseSource(nameof(Rules))]
    public void Forward_Refuses_Relaxing_AndAccepts_Tightening(string rule, string looser, string stricter, string pointer)
    {
        Assert.That(Check(stricter, looser, "FORWARD").Select(i => i.Rule), Does.Contain(rule));
        Assert.That(Check(looser, stricter, "FORWARD"), Is.Empty, rule);
    }

    [TestCaseSource(nameof(Rules))]
    public void Full_Refuses_BothDirections(string rule, string looser, string stricter, string pointer)
    {
        Assert.That(Check(looser, stricter, "FULL_TRANSITIVE").Select(i => i.Rule), Does.Contain(rule));
        Assert.That(Check(stricter, looser, "FULL").Select(i => i.Rule), Does.Contain(rule));
        Assert.That(Check(looser, stricter, "NONE"), Is.Empty);
    }

    [Test]
    public void TypeChanged_IsIncompatible_BothWays()
    {
        Assert.That(Check("""{"type":"string"}""", """{"type":"integer"}""", "BACKWARD").Single().Rule, Is.EqualTo("TYPE_CHANGED"));
        Assert.That(Check("""{"type":"string"}""", """{"type":"integer"}""", "FORWARD").Single().Rule, Is.EqualTo("TYPE_CHANGED"));
    }

    [Test]
    public void PatternChanged_IsIncompatible_BothWays()
    {
        Assert.That(Check("""{"pattern":"^a"}""", """{"pattern":"^b"}""", "FULL").Select(i => i.Rule), Is.EqualTo(new[] { "PATTERN_CHANGED", "PATTERN_CHANGED" }));
    }

    [Test]
    public void MinLengthZero_AddsNothing()
    {
        Assert.That(Check("""{"type":"string"}""", """{"type":"string","minLength":0}""", "FULL"), Is.Empty);
    }

    [Test]
    public void RequiredWithDefault_IsBackwardCompatible()
    {
        var issues = Check(Obj("""{"a":{"type":"string"}}""", "[]"), Obj("""{"a":{"type":"string","default":"x"}}""", """["a"]"""), "BACKWARD");
        Assert.That(issues, Is.Empty);
    }

    [Test]
    public void PropertyAddedToClosedModel_IsBackwardCompatible()
    {
        Assert.That(Check(Obj("""{"a":{}}""", "[]"), Obj("""{"a":{},"b":{"type":"string"}}""", "[]"), "BACKWARD"), Is.Empty);
    }

    [Test]
    public void PropertyAddedCoveredByPartiallyOpenModel_IsBackwardCompatible()
    {
        Assert.That(Check("""{"type":"object","additionalProperties":{"type":"string","maxLength":2}}""",
            """{"type":"object","properties":{"b":{"type":"string"}},"additionalProperties":{"type":"string","maxLength":2}}""", "BACKWARD"), Is.Empty);
    }

    [Test]
    public void Issue_CarriesOldAndNewValues()
    {
        var issue = Check("""{"maxLength":10}""", """{"maxLength":5}""", "BACKWARD").Single();
        Assert.That((issue.Pointer, issue.Old, issue.New), Is.EqualTo(("/maxLength", "10", "5")));
        var forward = Check("""{"maxLength":5}""", """{"maxLength":10}""", "FORWARD").Single();
        Assert.That((forward.Old, forward.New), Is.EqualTo(("5", "10")));
    }

    [Test]
    public void RecursiveSchemas_Terminate()
    {
        const string tree = """{"type":"object","properties":{"children":{"type":"array","items":{"$ref":"#"}}}}""";
        Assert.That(Check(tree, tree, "FULL"), Is.Empty);
    }

    [Test]
    public void UnknownMode_Throws()
    {
        Assert.Throws<ArgumentException>(() => Check("{}", "{}", "SIDEWAYS"));
    }
}
