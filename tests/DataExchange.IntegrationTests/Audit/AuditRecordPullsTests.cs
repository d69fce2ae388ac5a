using DataExchange.Core.Audit;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Audit;

/// <summary>Issue 6: <c>Audit:RecordPulls=false</c> (the pull benchmark's baseline) skips successful pulls only.</summary>
[TestFixture]
public sealed class AuditRecordPullsTests
{
    [Test]
    public async Task RecordPullsOff_SkipsSuccessfulPulls_ButStillAuditsRefusals()
    {
        await using var db = await AuditDatabase.CreateAsync("audit_nopulls", settings: new Dictionary<string, string?> { ["Audit:RecordPulls"] = "false" });

        var pulled = await db.Writer.AppendAsync(new AuditRecord(null, AuditAction.RecordsPulled, AuditOutcome.Allowed, "d@1"));
        var denied = await db.Writer.AppendAsync(new AuditRecord(null, AuditAction.AccessDenied, AuditOutcome.Denied, "d"));
        var entries = await db.Service.SearchAsync(AuditDatabase.OperatorAuditor, new AuditQuery());

        Assert.Multiple(() =>
        {
            Assert.That(pulled, Is.Zero);
            Assert.That(denied, Is.EqualTo(1));
            Assert.That(entries.Items.Select(e => e.Action), Is.EqualTo(new[] { "access-denied" }));
        });
    }
}
