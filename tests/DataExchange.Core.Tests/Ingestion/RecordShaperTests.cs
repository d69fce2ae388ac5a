using DataExchange.Core.Ingestion;
using System.Text.Json;
using NUnit.Framework;

namespace DataExchange.Core.Tests.Ingestion;

public sealed class RecordShaperTests
{
    [Test]
    public void Canonical_IsIndependentOfColumnOrder()
    {
        var a = JsonElement.Parse("""{"name":"广州","code":"A1","n":1.50}""");
        var b = JsonElement.Parse("""{"code":"A1","n":1.50,"name":"广州"}""");
        Assert.That(RecordShaper.Canonical(a), Is.EqualTo(RecordShaper.Canonical(b)));
        Assert.That(RecordShaper.Hash(RecordShaper.Canonical(a)), Is.EqualTo(RecordShaper.Hash(RecordShaper.Canonical(b))));
    }

    [Test]
    public void Key_TrimsAndJoinsCompositeKeysWithTheUnitSeparator()
    {
        var record = JsonElement.Parse("""{"Country Code":" CHN ","Year":2024}""");
        Assert.That(RecordShaper.Key(record, ["Country Code", "Year"], out var missing), Is.EqualTo("CHN\u001f2024"));
        Assert.That(missing, Is.Null);
    }

    [TestCase("""{"id":null}""")]
    [TestCase("""{"id":""}""")]
    [TestCase("""{"other":1}""")]
    public void Key_IsNullAndNamesTheField_WhenAKeyFieldHasNoValue(string json)
    {
        Assert.That(RecordShaper.Key(JsonElement.Parse(json), ["id"], out var missing), Is.Null);
        Assert.That(missing, Is.EqualTo("id"));
    }

    [Test]
    public void Hash_OfLongRecords_MatchesShortPath()
    {
        var longText = new string('x', 10_000);
        Assert.That(RecordShaper.Hash(longText), Is.EqualTo(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(longText))));
    }
}
