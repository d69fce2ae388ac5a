using System.Text.Json.Nodes;
using DataExchange.Core.Audit;
using DataExchange.Core.Common;
using NUnit.Framework;

namespace DataExchange.Core.Tests.Audit;

public sealed class AuditEntryTests
{
    static readonly DateTimeOffset At = new(2026, 11, 26, 10, 0, 0, 123, 456, TimeSpan.Zero);

    [Test]
    public void Hash_ChangesWithAnyField_OrThePreviousHash()
    {
        var prev = new byte[32];
        var baseline = Hash(prev, "dataset-registered", "succeeded", new JsonObject { ["a"] = 1 });
        Assert.Multiple(() =>
        {
            Assert.That(Hash(prev, "dataset-registered", "failed", new JsonObject { ["a"] = 1 }), Is.Not.EqualTo(baseline));
            Assert.That(Hash(prev, "dataset-registered", "succeeded", new JsonObject { ["a"] = 2 }), Is.Not.EqualTo(baseline));
            Assert.That(Hash([.. Enumerable.Repeat((byte)1, 32)], "dataset-registered", "succeeded", new JsonObject { ["a"] = 1 }), Is.Not.EqualTo(baseline));
            Assert.That(Hash(prev, "dataset-registered", "succeeded", new JsonObject { ["a"] = 1 }), Is.EqualTo(baseline), "deterministic");
        });
    }

    [Test]
    public void CanonicalBytes_WriteTimeToTheMicrosecond_AsPostgreSqlStoresIt()
    {
        var text = System.Text.Encoding.UTF8.GetString(AuditEntry.CanonicalBytes(1, At, "a", "c", "x", null, null, "succeeded", []));
        Assert.That(text, Does.Contain("\"at\":\"2026-11-26T10:00:00.123456Z\""));
    }

    // Every printable ASCII character but the quote and the backslash: what the envelope is written straight with.
    const string Printable = " !#$%&'()*+,-./0123456789:;<=>?@ABCXYZ[]^_`abcxyz{|}~";

    [TestCase("gd-amr", "kabc", "record-looked-up", "gd-amr.licences@3", "gd-amr.licences", "allowed")]
    [TestCase(null, null, "request-refused", null, null, "denied")]
    [TestCase(Printable, Printable, Printable, Printable, Printable, Printable)]
    [TestCase("gd-amr", "k\"q", "record-looked-up", "t", "d", "allowed")]
    [TestCase("gd-amr", "kabc", "record-looked-up", "back\\slash", "d", "allowed")]
    [TestCase("广东", "kabc", "record-looked-up", "t", "d\u007f", "allowed")]
    [TestCase("gd-amr", "kabc", "x", "tab\tnewline\n", "\u2028", "allowed")]
    public void CanonicalBytes_OfTheEnvelopeWrittenStraight_AreTheGeneralWritersBytes(string? agency, string? client, string action, string? target,
        string? datasetId, string outcome)
    {
        var details = new JsonObject
        {
            ["subjects"] = new JsonArray("ab12", "cd34"), ["z"] = 1.5, ["a"] = new JsonObject { ["n"] = null, ["t"] = true }, ["text"] = "<é & \u0085>",
        };
        var general = CanonicalJson.ToBytes(AuditEntry.CanonicalNode(
            9_007_199_254_740_993, At.UtcDateTime.ToString(AuditEntry.TimeFormat, System.Globalization.CultureInfo.InvariantCulture),
            agency, client, action, target, datasetId, outcome, details));
        var bytes = AuditEntry.CanonicalBytes(9_007_199_254_740_993, At, agency, client, action, target, datasetId, outcome, details);
        Assert.Multiple(() =>
        {
            Assert.That(System.Text.Encoding.UTF8.GetString(bytes), Is.EqualTo(System.Text.Encoding.UTF8.GetString(general)));
            Assert.That(AuditEntry.ComputeHash(new byte[32], System.Text.Encoding.UTF8.GetString(bytes)), Is.EqualTo(AuditEntry.ComputeHash(new byte[32], general)),
                "the hash of the text is the hash of its bytes");
        });
    }

    [Test]
    public void CanonicalText_IsTheSame_NestedAndAfterAFailedWrite()
    {
        var node = new JsonObject { ["b"] = 1, ["a"] = new JsonArray("x", new JsonObject { ["d"] = 2, ["c"] = 3 }) };
        var big = new JsonObject { ["big"] = new string('x', 100_000) };
        Assert.Multiple(() =>
        {
            Assert.That(CanonicalJson.ToText(node), Is.EqualTo("""{"a":["x",{"c":3,"d":2}],"b":1}"""));
            Assert.That(CanonicalJson.ToText(big), Has.Length.EqualTo(100_010), "a buffer grown past what is kept");
            Assert.That(CanonicalJson.ToText(node), Is.EqualTo("""{"a":["x",{"c":3,"d":2}],"b":1}"""));
            Assert.That(System.Text.Json.JsonDocument.Parse(JsonScratch.Api.ToArray(node, (w, n) => w.WriteStringValue(CanonicalJson.ToText(n)))).RootElement.GetString(),
                Is.EqualTo("""{"a":["x",{"c":3,"d":2}],"b":1}"""), "a use inside a use");
        });
    }

    [Test]
    public void Actions_HaveStableKebabCaseNames()
    {
        Assert.That(AuditNames.Of(AuditAction.DatasetRegistered), Is.EqualTo("dataset-registered"));
        Assert.That(AuditNames.Of(AuditAction.ApiKeyIssued), Is.EqualTo("api-key-issued"));
        Assert.That(Enum.GetValues<AuditAction>().Select(AuditNames.Of), Is.Unique);
    }

    static byte[] Hash(byte[] prev, string action, string outcome, JsonObject details) =>
        AuditEntry.ComputeHash(prev, AuditEntry.CanonicalBytes(7, At, "gd-amr", "kabc", action, "t", "d", outcome, details));
}
