using System.Text.Json;
using DataExchange.Core.Datasets.Schemas;
using NUnit.Framework;

namespace DataExchange.Core.Tests.Datasets.Schemas;

/// <summary>Issue 12: number keywords compare the number as written, never a double or decimal of it.</summary>
[TestFixture]
public sealed class ExactNumberKeywordTests
{
    static async Task<string[]> CodesAsync(string property, string value)
    {
        var schema = await DatasetSchema.LoadAsync("""{"type":"object","properties":{"a":""" + property + "}}", 1);
        return [.. schema.Validate(JsonElement.Parse("""{"a":""" + value + "}")).Select(e => e.Code)];
    }

    [Test]
    public async Task Tiny_PositiveNumber_IsMoreThanAnExclusiveMinimumOfZero()
    {
        Assert.That(await CodesAsync("""{"exclusiveMinimum":0}""", "1e-30"), Is.Empty);
        Assert.That(await CodesAsync("""{"exclusiveMinimum":0}""", "-0.0"), Is.EqualTo(new[] { "exclusiveMinimum" }));
    }

    [Test]
    public async Task ANumberJustAboveTheMaximum_FailsIt()
    {
        Assert.That(await CodesAsync("""{"maximum":0.3}""", "0.30000000000000000000000000001"), Is.EqualTo(new[] { "maximum" }));
        Assert.That(await CodesAsync("""{"maximum":0.3}""", "0.30000000000000000000000000000"), Is.Empty);
        Assert.That(await CodesAsync("""{"exclusiveMaximum":1e400}""", "1e308"), Is.Empty);
        Assert.That(await CodesAsync("""{"minimum":-1e-400}""", "-1e-399"), Is.EqualTo(new[] { "minimum" }));
    }

    [Test]
    public async Task MultipleOf_IsExact_OnCentsAndOnHugeNumbers()
    {
        Assert.That(await CodesAsync("""{"multipleOf":0.01}""", "19.99"), Is.Empty);
        Assert.That(await CodesAsync("""{"multipleOf":0.01}""", "1e400"), Is.Empty);
        Assert.That(await CodesAsync("""{"multipleOf":0.01}""", "19.991"), Is.EqualTo(new[] { "multipleOf" }));
        Assert.That(await CodesAsync("""{"multipleOf":1e-400}""", "0.5"), Is.Empty, "a step a double calls 0 is accepted by the vetter");
        Assert.That(await CodesAsync("""{"multipleOf":1e400}""", "2e400"), Is.Empty, "a step a double calls infinity too");
        Assert.That(await CodesAsync("""{"multipleOf":1e400}""", "1e399"), Is.EqualTo(new[] { "multipleOf" }));
    }

    [Test]
    public async Task Integer_AcceptsOnePointZero_AndIntegersBeyond64Bits()
    {
        Assert.That(await CodesAsync("""{"type":"integer"}""", "1.0"), Is.Empty);
        Assert.That(await CodesAsync("""{"type":"integer"}""", "18446744073709551617"), Is.Empty);
        Assert.That(await CodesAsync("""{"type":"integer"}""", "1e400"), Is.Empty);
        Assert.That(await CodesAsync("""{"type":"integer","maximum":18446744073709551616}""", "18446744073709551617"), Is.EqualTo(new[] { "maximum" }));
        Assert.That(await CodesAsync("""{"type":"integer"}""", "1.000000000000000000000000001"), Is.EqualTo(new[] { "type" }));
    }

    [Test]
    public async Task Enum_AndUniqueItems_CompareNumbersByValue()
    {
        Assert.That(await CodesAsync("""{"enum":[1e2, 0.30000000000000000000000000001]}""", "100.0"), Is.Empty);
        Assert.That(await CodesAsync("""{"enum":[0.30000000000000000000000000001]}""", "0.3"), Is.EqualTo(new[] { "enum" }));
        Assert.That(await CodesAsync("""{"uniqueItems":true}""", "[-0, 0.0]"), Is.EqualTo(new[] { "uniqueItems" }));
        Assert.That(await CodesAsync("""{"uniqueItems":true}""", "[1e400, 1e401]"), Is.Empty);
    }

    [Test]
    public async Task Messages_QuoteTheNumberAsWritten()
    {
        var schema = await DatasetSchema.LoadAsync("""{"type":"object","properties":{"a":{"maximum":100}}}""", 1);
        Assert.That(schema.Validate(JsonElement.Parse("""{"a":362}""")).Single().Message, Does.Contain("(value '362')"));
    }
}
