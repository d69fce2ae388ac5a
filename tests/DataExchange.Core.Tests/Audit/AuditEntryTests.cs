using System.Text.Json.Nodes;
using DataExchange.Core.Audit;
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
