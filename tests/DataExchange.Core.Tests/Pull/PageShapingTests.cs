using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DataExchange.Core.Pull;
using DataExchange.Core.Subscriptions;
using NUnit.Framework;

namespace DataExchange.Core.Tests.Pull;

/// <summary>
/// Issue 14: a page's records shaped from their jsonb text are the bytes the document path writes, whatever
/// members each record has: one shaper serves a whole page and keeps what it learnt of the members by position.
/// </summary>
public sealed class PageShapingTests
{
    static readonly byte[] HashKey = RandomNumberGenerator.GetBytes(32);

    // jsonb's text of records (a space after every ':' and ','), their members varying from one to the next:
    // the same members at other positions, one missing, an escaped name, nested values, masked non-strings.
    static readonly string[] Records =
    [
        """{"id": "a1", "age": 30, "city": "Foshan", "name": "Ann", "phone": "13800000001"}""",
        """{"id": "a2", "age": 31, "city": "Zhuhai", "name": "Bo", "phone": "13800000002"}""",
        """{"id": "a3", "age": 32, "name": "Cy", "phone": "13800000003"}""",
        """{"id": "a4", "city": "广州", "name": "Dee", "phone": "1380\u00000004", "extra": [1, {"phone": "x"}]}""",
        """{"id": "a5", "age": 12345678901234567890.123456789012345678901234567890, "a\tb": "Shenzhen", "name": null, "phone": 13800000005}""",
        """{"id": "a6", "age": -0, "city": "Dongguan", "name": "Eve 😀", "phone": {"cc": "86", "n": "1"}}""",
        """{"id": "a7", "age": 30, "city": "Foshan", "name": "Ann", "phone": "13800000001"}""",
    ];

    static PolicyShaper Shaper(string policy) => new(AccessPolicy.Parse(JsonNode.Parse(policy)!.AsObject(), null), HashKey);

    static string Hmac(string value) => Convert.ToHexStringLower(HMACSHA256.HashData(HashKey, Encoding.UTF8.GetBytes(value)));

    static string[] FromText(PolicyShaper shaper) => [.. Records.Select(r =>
    {
        var output = new ArrayBufferWriter<byte>();
        shaper.WriteJson(Encoding.UTF8.GetBytes(r), output);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    })];

    static string[] FromDocuments(PolicyShaper shaper) => [.. Records.Select(r =>
    {
        using var doc = JsonDocument.Parse(r);
        var output = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(output, DataExchange.Core.Common.Json.WriterOptions)) shaper.WriteJson(writer, doc.RootElement);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    })];

    [TestCase("""{"masks":{"phone":"hash"}}""")]
    [TestCase("""{"masks":{"phone":"hash","name":"partial","city":"redact"}}""")]
    [TestCase("""{"fields":["id","city","phone","extra"],"masks":{"phone":"hash"}}""")]
    [TestCase("""{"fields":["age","name"],"masks":{"age":"partial"}}""")]
    public void TextPath_WritesTheDocumentPathsBytes_RecordAfterRecord(string policy)
    {
        Assert.That(FromText(Shaper(policy)), Is.EqualTo(FromDocuments(Shaper(policy))));
    }

    [Test]
    public void HashedMembers_AreTheKeyedHmacOfTheirValue_AndOtherMembersStayAsStored()
    {
        var shaped = FromText(Shaper("""{"fields":["id","city","phone","extra"],"masks":{"phone":"hash"}}"""));

        Assert.That(shaped[0], Is.EqualTo($$"""{"id":"a1","city":"Foshan","phone":"{{Hmac("13800000001")}}"}"""));
        Assert.That(shaped[2], Is.EqualTo($$"""{"id":"a3","phone":"{{Hmac("13800000003")}}"}"""));
        Assert.That(shaped[3], Is.EqualTo($$"""{"id":"a4","city":"广州","phone":"{{Hmac("1380\u00000004")}}","extra":[1,{"phone":"x"}]}"""));
        Assert.That(shaped[4], Is.EqualTo($$"""{"id":"a5","phone":"{{Hmac("13800000005")}}"}"""));
        Assert.That(shaped[5], Is.EqualTo($$"""{"id":"a6","city":"Dongguan","phone":"{{Hmac("""{"cc": "86", "n": "1"}""")}}"}"""));
    }

    [Test]
    public void ShapersWithDifferentKeys_OnOneThread_HashWithTheirOwnKey()
    {
        var other = RandomNumberGenerator.GetBytes(32);
        var policy = AccessPolicy.Parse(JsonNode.Parse("""{"masks":{"phone":"hash"}}""")!.AsObject(), null);
        var record = Encoding.UTF8.GetBytes("""{"id": "a1", "phone": "13800000001"}""");
        string Shape(byte[] key)
        {
            var output = new ArrayBufferWriter<byte>();
            new PolicyShaper(policy, key).WriteJson(record, output);
            return Encoding.UTF8.GetString(output.WrittenSpan);
        }

        Assert.That(Shape(HashKey), Is.EqualTo($$"""{"id":"a1","phone":"{{Hmac("13800000001")}}"}"""));
        Assert.That(Shape(other), Is.EqualTo($$"""{"id":"a1","phone":"{{Convert.ToHexStringLower(HMACSHA256.HashData(other, "13800000001"u8))}}"}"""));
        Assert.That(Shape(HashKey), Is.EqualTo($$"""{"id":"a1","phone":"{{Hmac("13800000001")}}"}"""));
    }
}
