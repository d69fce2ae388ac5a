using System.Text.Json.Nodes;
using DataExchange.Core.Common;
using DataExchange.Core.Datasets.Schemas;
using NUnit.Framework;

namespace DataExchange.Core.Tests.Datasets.Schemas;

[TestFixture]
public sealed class SchemaVetterTests
{
    static IReadOnlyList<ProblemItem> Vet(string json) => SchemaVetter.Vet(JsonNode.Parse(json)!.AsObject(), json.Length);

    static string Record(string property) => """{"type":"object","properties":{"a":""" + property + "}}";

    [TestCase("dependentRequired", "{}")]
    [TestCase("dependentSchemas", "{}")]
    [TestCase("prefixItems", "[]")]
    [TestCase("unevaluatedProperties", "false")]
    [TestCase("unevaluatedItems", "false")]
    [TestCase("$dynamicRef", "\"#a\"")]
    [TestCase("$recursiveRef", "\"#\"")]
    [TestCase("minContains", "1")]
    [TestCase("maxContains", "1")]
    public void RefusesKeywordsDraft07DoesNotHave_WithTheirPointer(string keyword, string value)
    {
        var problems = Vet(Record($$"""{"{{keyword}}":{{value}}}"""));
        Assert.That(problems.Select(p => (p.Pointer, p.Code)), Does.Contain(($"/properties/a/{keyword}", "keyword-not-enforced")));
    }

    [TestCase("http://example.com/s.json")]
    [TestCase("file:///etc/passwd")]
    [TestCase("other.json#/definitions/a")]
    public void RefusesRefToAnythingButARegisteredComponent(string reference)
    {
        Assert.That(Vet(Record($$"""{"$ref":"{{reference}}"}""")).Select(p => (p.Pointer, p.Code)), Does.Contain(("/properties/a/$ref", "unresolved-ref")));
    }

    [TestCase("""{"$ref":"#/definitions/missing"}""", "unresolved-ref")]
    [TestCase("""{"$ref":"#foo"}""", "unresolved-ref")]
    [TestCase("""{"$ref":"#/properties"}""", "keyword-not-enforced")]
    [TestCase("""{"format":"hostnames"}""", "format-unknown")]
    [TestCase("""{"contentMediaType":"text/plain"}""", "content-not-enforced")]
    [TestCase("""{"contentEncoding":"base32"}""", "content-not-enforced")]
    [TestCase("""{"type":"strng"}""", "invalid-keyword-value")]
    [TestCase("""{"maxLength":-1}""", "invalid-keyword-value")]
    [TestCase("""{"multipleOf":0}""", "invalid-keyword-value")]
    [TestCase("""{"pattern":"("}""", "invalid-pattern")]
    [TestCase("""{"pattern":"\\p{Script=Greek}"}""", "pattern-not-enforced")]
    [TestCase("""{"pattern":"\\a"}""", "invalid-pattern")]
    public void RefusesMalformedOrUnenforceable(string property, string code)
    {
        var json = """{"type":"object","definitions":{"x":{}},"properties":{"a":""" + property + "}}";
        Assert.That(Vet(json).Select(p => p.Code), Does.Contain(code));
    }

    [Test]
    public void RefusesRefCycles()
    {
        Assert.That(Vet("""{"definitions":{"a":{"$ref":"#/definitions/b"},"b":{"allOf":[{"$ref":"#/definitions/a"}]}},"$ref":"#/definitions/a"}""").Select(p => p.Code),
            Does.Contain("ref-cycle"));
    }

    [Test]
    public void AcceptsRecursionThroughProperties()
    {
        Assert.That(Vet("""{"type":"object","properties":{"children":{"type":"array","items":{"$ref":"#"}}}}"""), Is.Empty);
    }

    [Test]
    public void RefusesDeepNesting()
    {
        var json = string.Concat(Enumerable.Repeat("""{"type":"array","items":""", SchemaVetter.MaxDepth + 2)) + "{}" + new string('}', SchemaVetter.MaxDepth + 2);
        Assert.That(Vet(json).Select(p => p.Code), Does.Contain("schema-too-deep"));
    }

    [Test]
    public void RefusesOversizedSchema()
    {
        Assert.That(SchemaVetter.Vet(JsonNode.Parse("{}")!.AsObject(), SchemaVetter.MaxSchemaBytes + 1).Select(p => p.Code), Does.Contain("schema-too-large"));
    }

    [Test]
    public void RefusesOtherDrafts()
    {
        Assert.That(Vet("""{"$schema":"https://json-schema.org/draft/2019-09/schema","type":"object"}""").Select(p => p.Code), Does.Contain("draft-not-supported"));
    }

    [Test]
    public async Task LoadAsync_ThrowsWithEveryProblem()
    {
        var e = await Assert.ThrowsAsync<InvalidException>(() => DatasetSchema.LoadAsync(Record("""{"dependentRequired":{},"format":"x"}"""), 1));
        Assert.That(e!.Errors.Select(p => p.Pointer), Is.EquivalentTo(new[] { "/properties/a/dependentRequired", "/properties/a/format" }));
    }

    // Issue 15: refusals quote the steward's own text and say what to write instead.
    [TestCase("""{"maxLenght":3}""", "did you mean 'maxLength'?")]
    [TestCase("""{"dependentRequired":{}}""", "write it as dependencies")]
    [TestCase("""{"prefixItems":[{}]}""", "It is a draft 2020-12 keyword")]
    [TestCase("""{"format":"emial"}""", "did you mean 'email'?")]
    [TestCase("""{"pattern":"(?P<n>a)"}""", "The pattern (?P<n>a) is not a valid ECMA-262")]
    [TestCase("""{"pattern":"(?i)abc"}""", "no inline flags")]
    public void Refusal_QuotesTheStewardsText_AndSuggestsAFix(string property, string expected)
    {
        Assert.That(Vet(Record(property)).Select(p => p.Message), Has.Some.Contains(expected));
    }
}
