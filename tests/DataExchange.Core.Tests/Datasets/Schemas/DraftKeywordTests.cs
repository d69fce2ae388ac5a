using System.Text.Json;
using DataExchange.Core.Common;
using DataExchange.Core.Datasets.Schemas;
using NUnit.Framework;

namespace DataExchange.Core.Tests.Datasets.Schemas;

/// <summary>
/// Issue 15: keywords of draft-07 and 2020-12 that were refused are enforced, by draft ($schema; none means
/// draft-07). The official suite checks them all where its copy is present; these few run in every clone.
/// </summary>
[TestFixture]
public sealed class DraftKeywordTests
{
    const string D2020 = "\"$schema\":\"https://json-schema.org/draft/2020-12/schema\"";

    static bool Valid(string schema, string instance, ISchemaComponents? components = null) =>
        DatasetSchema.LoadAny(schema, components).Validate(JsonElement.Parse(instance)).Count == 0;

    [TestCase("""{"const":{"a":[1.0]}}""", """{"a":[1]}""", true)]
    [TestCase("""{"const":{"a":[1.0]}}""", """{"a":[1.5]}""", false)]
    [TestCase("""{"if":{"properties":{"k":{"const":"x"}}},"then":{"required":["v"]},"else":{"maxProperties":1}}""", """{"k":"x"}""", false)]
    [TestCase("""{"if":{"properties":{"k":{"const":"x"}}},"then":{"required":["v"]},"else":{"maxProperties":1}}""", """{"k":"y"}""", true)]
    [TestCase("""{"items":[{"type":"string"}],"additionalItems":{"type":"integer"}}""", """["a",1,2]""", true)]
    [TestCase("""{"items":[{"type":"string"}],"additionalItems":{"type":"integer"}}""", """["a","b"]""", false)]
    [TestCase("""{"dependencies":{"a":["b"],"c":{"required":["d"]}}}""", """{"c":1}""", false)]
    [TestCase("""{"patternProperties":{"^x-":{"type":"integer"}},"additionalProperties":false}""", """{"x-a":1}""", true)]
    [TestCase("""{"patternProperties":{"^x-":{"type":"integer"}},"additionalProperties":false}""", """{"y":1}""", false)]
    [TestCase("""{"propertyNames":{"maxLength":2}}""", """{"abc":1}""", false)]
    [TestCase("""{"contains":{"const":2}}""", """[1,3]""", false)]
    [TestCase("""{"$ref":"#/definitions/s","type":"integer","definitions":{"s":{"type":"string"}}}""", "\"a\"", true)]
    [TestCase("""{"contentEncoding":"base64","contentMediaType":"application/json"}""", "\"eyJmb28iOiAiYmFyIn0K\"", true)]
    [TestCase("""{"contentEncoding":"base64","contentMediaType":"application/json"}""", "\"ezp9Cg==\"", false)]
    [TestCase("{" + D2020 + ""","contentEncoding":"base64"}""", "\"%%%\"", true)]
    [TestCase("{" + D2020 + ""","prefixItems":[{"type":"string"}],"items":false}""", """["a"]""", true)]
    [TestCase("{" + D2020 + ""","prefixItems":[{"type":"string"}],"items":false}""", """["a",1]""", false)]
    [TestCase("{" + D2020 + ""","$ref":"#/$defs/s","maxLength":2,"$defs":{"s":{"type":"string"}}}""", "\"abc\"", false)]
    [TestCase("{" + D2020 + ""","allOf":[{"properties":{"a":true}}],"unevaluatedProperties":false}""", """{"a":1}""", true)]
    [TestCase("{" + D2020 + ""","allOf":[{"properties":{"a":true}}],"unevaluatedProperties":false}""", """{"a":1,"b":2}""", false)]
    [TestCase("{" + D2020 + ""","anyOf":[{"properties":{"a":{"type":"string"}}},{"properties":{"b":true}}],"unevaluatedProperties":false}""", """{"a":1,"b":1}""", false)]
    [TestCase("{" + D2020 + ""","contains":{"type":"string"},"minContains":2,"maxContains":3}""", """["a",1,"b"]""", true)]
    [TestCase("{" + D2020 + ""","dependentRequired":{"a":["b"]}}""", """{"a":1}""", false)]
    [TestCase("{" + D2020 + ""","format":"email"}""", "\"not an email\"", true)]
    public void Keyword_IsEnforcedAsItsDraftSays(string schema, string instance, bool valid)
    {
        Assert.That(Valid(schema, instance), Is.EqualTo(valid));
    }

    [Test]
    public void DynamicRef_ResolvesToTheOutermostDynamicAnchor()
    {
        var list = new SchemaComponent("https://agency.example/list", 1,
            """{"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"https://agency.example/list","type":"array","items":{"$dynamicRef":"#item"},"$defs":{"item":{"$dynamicAnchor":"item"}}}""");
        var schema = "{" + D2020 + ""","$id":"https://agency.example/strings","$ref":"https://agency.example/list","$defs":{"s":{"$dynamicAnchor":"item","type":"string"}}}""";
        var components = SchemaComponents.Of([list]);
        Assert.Multiple(() =>
        {
            Assert.That(Valid(schema, """["a","b"]""", components), Is.True);
            Assert.That(Valid(schema, """["a",1]""", components), Is.False);
        });
    }

    [Test]
    public void Ref_ToARegisteredComponent_ResolvesAndPinsItsVersion()
    {
        var address = new SchemaComponent("https://agency.example/address", 3, """{"type":"object","required":["city"]}""");
        var schema = DatasetSchema.Load("""{"type":"object","properties":{"home":{"$ref":"https://agency.example/address"}}}""", 1, SchemaComponents.Of([address]));
        Assert.Multiple(() =>
        {
            Assert.That(schema.Validate(JsonElement.Parse("""{"home":{}}""")).Select(e => e.Pointer), Is.EqualTo(new[] { "/home/city" }));
            Assert.That(schema.Components.Select(c => (c.Uri, c.Version)), Is.EqualTo(new[] { ("https://agency.example/address", 3) }));
        });
    }

    [TestCase("https://json-schema.org/draft/2019-09/schema", "draft-not-supported")]
    [TestCase("https://agency.example/not-registered", "draft-not-supported")]
    public void UnknownDraft_IsRefused(string draft, string code)
    {
        var e = Assert.Throws<InvalidException>(() => DatasetSchema.LoadAny($$"""{"$schema":"{{draft}}"}"""));
        Assert.That(e!.Errors.Select(p => p.Code), Does.Contain(code));
    }
}
