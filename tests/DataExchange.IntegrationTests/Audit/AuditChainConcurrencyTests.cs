using DataExchange.Core.Audit;
using DataExchange.Core.Common;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Audit;

/// <summary>Issue 6: concurrent writers serialise on dx.audit_head and never fork the chain.</summary>
[TestFixture]
public sealed class AuditChainConcurrencyTests
{
    [Test]
    public async Task EightConcurrentWriters_LeaveOneUnbrokenChain()
    {
        await using var db = await AuditDatabase.CreateAsync("audit_concurrent");
        const int writers = 8, each = 50;
        using var start = new SemaphoreSlim(0, writers);
        var tasks = Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var caller = new Caller($"writer-{w}", "gd-amr", new HashSet<string>(StringComparer.Ordinal) { Role.Steward });
            await start.WaitAsync();
            var positions = new List<long>();
            for (var i = 0; i < each; i++)
                positions.Add(await db.Writer.AppendAsync(new AuditRecord(caller, AuditAction.RecordsPulled, AuditOutcome.Allowed, $"w{w}/{i}")));
            return positions;
        })).ToList();
        start.Release(writers);
        var positions = (await Task.WhenAll(tasks)).SelectMany(p => p).ToList();

        var result = await db.Service.VerifyAsync(AuditDatabase.OperatorAuditor);

        Assert.Multiple(() =>
        {
            Assert.That(positions, Is.EquivalentTo(Enumerable.Range(1, writers * each).Select(i => (long)i)), "every append got its own position");
            Assert.That(result, Is.EqualTo(new ChainVerification(true, writers * each, null, null)));
        });
    }
}
