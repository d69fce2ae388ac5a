using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DataExchange.Core.Pull;
using DataExchange.Core.Subscriptions;
using NUnit.Framework;

namespace DataExchange.Core.Tests.Pull;

/// <summary>Issue 13, item 1: a change's key is shaped part by part like the key fields it is made of.</summary>
public sealed class KeyShapingTests
{
    static readonly byte[] HashKey = new byte[32];
    static readonly string[] Fields = ["region", "id", "name"];
    const string Key = "north\u001f1234567";
    static readonly JsonElement Record = JsonDocument.Parse("""{"region":"north","id":"1234567","name":"Ann"}""").RootElement;

    static PolicyShaper Shaper(string policy) =>
        new(AccessPolicy.Parse(JsonNode.Parse(policy)!.AsObject(), Fields), HashKey, ["region", "id"]);

    static string Hmac(string value) => Convert.ToHexStringLower(HMACSHA256.HashData(HashKey, Encoding.UTF8.GetBytes(value)));

    [Test]
    public void CompositeKey_WithOneHashedPart_HashesThatPartOnly()
    {
        Assert.That(Shaper("""{"masks":{"id":"hash"}}""").Key(Key, Record), Is.EqualTo("north\u001f" + Hmac("1234567")));
    }

    [Test]
    public void CompositeKey_WithAPartialPart_MasksItLikeTheField()
    {
        Assert.That(Shaper("""{"masks":{"id":{"type":"partial","keepLast":2}}}""").Key(Key, Record), Is.EqualTo("north\u001f*****67"));
    }

    [Test]
    public void Key_WithARedactedPart_IsNotShown()
    {
        Assert.That(Shaper("""{"masks":{"region":"redact"}}""").Key(Key, Record), Is.Null);
    }

    [Test]
    public void Key_WithAPartOutsideTheVisibleFields_IsNotShown()
    {
        Assert.That(Shaper("""{"fields":["id","name"]}""").Key(Key, Record), Is.Null);
    }

    [Test]
    public void Key_OfATombstoneWithoutItsRecord_IsShapedFromTheKeyText()
    {
        Assert.That(Shaper("""{"masks":{"id":"hash"}}""").Key(Key, null), Is.EqualTo("north\u001f" + Hmac("1234567")));
    }

    [Test]
    public void Key_UnderAPolicyThatNeitherHidesNorMasksKeyFields_IsRaw()
    {
        Assert.That(Shaper("""{"masks":{"name":"hash"}}""").Key(Key, Record), Is.EqualTo(Key));
        Assert.That(new PolicyShaper(AccessPolicy.Owner, HashKey, ["region", "id"]).Key(Key, null), Is.EqualTo(Key));
    }
}
