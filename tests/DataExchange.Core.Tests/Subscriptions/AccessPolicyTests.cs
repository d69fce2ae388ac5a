using System.Text.Json.Nodes;
using DataExchange.Core.Common;
using DataExchange.Core.Subscriptions;
using NpgsqlTypes;
using NUnit.Framework;

namespace DataExchange.Core.Tests.Subscriptions;

/// <summary>Issue 5: parsing access policies against schemas/access-policy.schema.json, and compiling filters to parameters.</summary>
public sealed class AccessPolicyTests
{
    static readonly string[] Fields = ["id", "name", "phone", "age", "born"];

    static AccessPolicy Parse(string json) => AccessPolicy.Parse(JsonNode.Parse(json)!.AsObject(), Fields);

    static IEnumerable<string> Pointers(string json) =>
        Assert.Throws<InvalidException>(() => Parse(json))!.Errors.Select(e => e.Pointer);

    [Test]
    public void SchemaExample_IsAValidPolicy()
    {
        var schema = JsonNode.Parse(File.ReadAllText(Path.Combine(TestContext.CurrentContext.TestDirectory, "../../../../../schemas/access-policy.schema.json")))!;
        var example = schema["examples"]![0]!.AsObject();
        var policy = AccessPolicy.Parse(example.DeepClone().AsObject(), ["uscc", "name", "legalRep", "status"]);
        Assert.That(policy.Masks["legalRep"], Is.EqualTo(new FieldMask("partial", 1)));
        Assert.That(policy.DailyRowQuota, Is.EqualTo(100000));
    }

    [Test]
    public void Policy_WithEveryRule_Parses()
    {
        var p = Parse("""{"fields":["id","phone","age"],"masks":{"phone":"hash"},"filters":[{"field":"age","range":{"min":18}},{"field":"name","in":["a","b"]}],"dailyRowQuota":10,"purpose":"x"}""");
        Assert.That(p.Fields, Is.EqualTo(new[] { "id", "phone", "age" }));
        Assert.That(p.Filters.Select(f => f.Op), Is.EqualTo(new[] { "range", "in" }));
        Assert.That(p.Allows("name"), Is.False);
    }

    [Test]
    public void UnknownMask_IsRefusedWithItsPointer() => Assert.That(Pointers("""{"masks":{"phone":"scramble"}}"""), Does.Contain("/policy/masks/phone"));

    [Test]
    public void UnknownRule_IsRefusedByTheSchema() => Assert.That(Pointers("""{"colour":"red"}"""), Does.Contain("/policy/colour").Or.Contain("/policy"));

    [Test]
    public void FilterWithTwoOperators_IsRefused() => Assert.That(Pointers("""{"filters":[{"field":"age","equals":1,"in":[1]}]}"""), Is.Not.Empty);

    [Test]
    public void FieldNotInTheDataset_IsRefused() => Assert.That(Pointers("""{"fields":["id","salary"]}"""), Does.Contain("/policy/fields/1"));

    [Test]
    public void MaskOfAHiddenField_IsRefused() => Assert.That(Pointers("""{"fields":["id"],"masks":{"phone":"redact"}}"""), Does.Contain("/policy/masks/phone"));

    [Test]
    public void ZeroQuota_IsRefused() => Assert.That(Pointers("""{"dailyRowQuota":0}"""), Does.Contain("/policy/dailyRowQuota"));

    [Test]
    public void Filters_CompileToParametersOnly_NeverSplicingNamesOrValues()
    {
        var p = Parse("""{"filters":[{"field":"name","equals":"x' or 1=1 --"},{"field":"age","range":{"min":1,"max":9}}]}""");
        var args = new List<(object Value, NpgsqlDbType Type)> { ("ds", NpgsqlDbType.Text) };
        var sql = RowFilter.Compile(p.Filters, "r", args);
        Assert.That(sql, Does.Not.Contain("name").And.Not.Contain("or 1=1").And.Not.Contain("age"));
        Assert.That(sql, Does.Contain("r.data -> $2 = $3").And.Contain("::numeric end) >= $5").And.Contain("<= $6"));
        Assert.That(args.Select(a => a.Value is string t && t.StartsWith('"') ? JsonNode.Parse(t)!.GetValue<string>() : a.Value),
            Is.EqualTo(new object[] { "ds", "name", "x' or 1=1 --", "age", 1m, 9m }));
    }

    [Test]
    public void PolicyHash_IsStableForTheSameDocument() =>
        Assert.That(Parse("""{"fields":["id"]}""").Hash, Is.EqualTo(Parse("""{ "fields": ["id"] }""").Hash).And.Length.EqualTo(16));
}
