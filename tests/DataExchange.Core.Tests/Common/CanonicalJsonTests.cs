using System.Text.Json.Nodes;
using DataExchange.Core.Common;
using NUnit.Framework;

namespace DataExchange.Core.Tests.Common;

public sealed class CanonicalJsonTests
{
    [Test]
    public void ToText_SortsMembersRecursively_AndDropsWhitespace()
    {
        var node = JsonNode.Parse("""{ "b": 1, "a": { "z": [ { "y": 2, "x": 1 } ], "c": "名" } }""");
        Assert.That(CanonicalJson.ToText(node), Is.EqualTo("""{"a":{"c":"名","z":[{"x":1,"y":2}]},"b":1}"""));
    }

    [Test]
    public void Sha256_IsEqualForEqualContent_WhateverTheMemberOrder()
    {
        Assert.That(CanonicalJson.Sha256(JsonNode.Parse("""{"a":1,"b":[1,2]}""")),
            Is.EqualTo(CanonicalJson.Sha256(JsonNode.Parse("""{ "b":[1,2], "a":1 }"""))));
        Assert.That(CanonicalJson.Sha256(JsonNode.Parse("""{"a":1,"b":[2,1]}""")),
            Is.Not.EqualTo(CanonicalJson.Sha256(JsonNode.Parse("""{"a":1,"b":[1,2]}"""))), "array order is content");
    }
}
