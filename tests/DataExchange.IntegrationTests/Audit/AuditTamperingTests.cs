using System.Text.Json.Nodes;
using DataExchange.Core.Audit;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Audit;

/// <summary>
/// Issue 6: a superuser who disables the append-only triggers and edits, deletes, swaps, forges or
/// cuts entries is caught by verification, which names the first bad position. Each test gets a
/// fresh log of 20 entries.
/// </summary>
[TestFixture]
public sealed class AuditTamperingTests
{
    AuditDatabase _db = null!;

    [SetUp]
    public async Task CreateLogAsync()
    {
        _db = await AuditDatabase.CreateAsync("audit_tamper");
        await _db.AppendAsync(20);
    }

    [TearDown]
    public async Task DropAsync() => await _db.DisposeAsync();

    [Test]
    public async Task Verify_PassesAnUntouchedLog_WithItsCheckpoints()
    {
        await _db.Checkpoints.CheckpointAsync();
        await _db.AppendAsync(5);
        await _db.Checkpoints.CheckpointAsync();

        var result = await _db.Service.VerifyAsync(AuditDatabase.OperatorAuditor);

        Assert.That(result, Is.EqualTo(new ChainVerification(true, 25, null, null, 2)));
    }

    [Test]
    public async Task Verify_NamesTheEntry_WhoseFieldWasEdited()
    {
        await _db.TamperAsync("update dx.audit_log set target = 'someone-else' where seq = 7");

        await AssertBadAsync(7, "content does not match");
    }

    [Test]
    public async Task Verify_NamesTheEntry_ThatWasDeleted()
    {
        await _db.TamperAsync("delete from dx.audit_log where seq = 7");

        await AssertBadAsync(7, "Entry 7 is missing");
    }

    [Test]
    public async Task Verify_NamesTheFirstPosition_OfTwoSwappedEntries()
    {
        await _db.TamperAsync(
            "update dx.audit_log set seq = -5 where seq = 5",
            "update dx.audit_log set seq = 5 where seq = 9",
            "update dx.audit_log set seq = 9 where seq = -5");

        await AssertBadAsync(5, "link to the previous entry");
    }

    [Test]
    public async Task Verify_NamesAForgedEntry_InsertedWithACorrectHashAndTheRestRenumbered()
    {
        // A forger who knows the algorithm: the forged entry hashes correctly and links to entry 6.
        await _db.TamperAsync("update dx.audit_log set seq = seq + 1000 where seq >= 7", "update dx.audit_log set seq = seq - 999 where seq >= 1000",
            "update dx.audit_head set seq = seq + 1");
        var prev = await _db.HashOfAsync(6);
        var at = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
        var details = new JsonObject { ["rows"] = 1_000_000 };
        var hash = AuditEntry.ComputeHash(prev, AuditEntry.CanonicalBytes(7, at, "gz-hrss", "key-9", "records-pulled", "gd-amr.licences@1", "gd-amr.licences", "allowed", details));
        await _db.InsertRawAsync(new AuditEntry(7, at, "gz-hrss", "key-9", "records-pulled", "gd-amr.licences@1", "gd-amr.licences", "allowed", details, prev, hash));

        await AssertBadAsync(7, "Entry 7 was inserted");
    }

    [Test]
    public async Task Verify_NamesTheFirstMissingEntry_WhenTheTailIsCutAfterACheckpoint()
    {
        var checkpoint = await _db.Checkpoints.CheckpointAsync();
        Assert.That(checkpoint!.TreeSize, Is.EqualTo(20));
        await _db.AppendAsync(5);
        // Cut back to entry 14 and move the head with it: the chain alone still verifies.
        var newHead = Convert.ToHexStringLower(await _db.HashOfAsync(14));
        await _db.TamperAsync("delete from dx.audit_log where seq >= 15", $"update dx.audit_head set seq = 14, hash = '\\x{newHead}'");

        await AssertBadAsync(15, "Entries 15–20 are missing");
    }

    [Test]
    public async Task Verify_NamesTheFirstUncoveredPosition_WhenASuffixIsRewrittenConsistently()
    {
        await _db.TamperAsync("delete from dx.audit_log where seq > 10", "update dx.audit_head set seq = 10, hash = (select hash from dx.audit_log where seq = 10)");
        var first = await _db.Checkpoints.CheckpointAsync();
        await _db.AppendAsync(10);
        await _db.Checkpoints.CheckpointAsync();
        // Rewrite entries 11–20 with a re-hashed chain: only the checkpoint at 20 can tell.
        var head = Convert.ToHexStringLower(await _db.HashOfAsync(10));
        await _db.TamperAsync("delete from dx.audit_log where seq > 10", $"update dx.audit_head set seq = 10, hash = '\\x{head}'");
        await _db.AppendAsync(10);

        Assert.That(first!.TreeSize, Is.EqualTo(10));
        await AssertBadAsync(11, "do not match the checkpoint at tree size 20");
    }

    [Test]
    public async Task Checkpoint_ExtendsTheOneItSigned_WithoutReReadingIt_AndTheCheckpointsStillLocateAnEarlierEdit()
    {
        var first = await _db.Checkpoints.CheckpointAsync();
        // Entry 5's stored hash no longer links to entry 6: a signer re-reading the whole chain would refuse at 6.
        await _db.TamperAsync("update dx.audit_log set hash = sha256(hash) where seq = 5");
        await _db.AppendAsync(5);

        var second = await _db.Checkpoints.CheckpointAsync();

        Assert.Multiple(() =>
        {
            Assert.That(first!.TreeSize, Is.EqualTo(20));
            Assert.That(second!.TreeSize, Is.EqualTo(25), "signed from the checkpoint at 20 and the five entries since");
        });
        await AssertBadAsync(5, "does not match its hash");
    }

    [Test]
    public async Task Checkpoint_RefusesEntriesSinceItsLastCheckpoint_ThatDoNotLinkOntoIt()
    {
        await _db.Checkpoints.CheckpointAsync();
        await _db.AppendAsync(5);
        await _db.TamperAsync("update dx.audit_log set prev_hash = sha256(prev_hash) where seq = 23");

        Assert.That(await _db.Checkpoints.CheckpointAsync(), Is.Null);
    }

    async Task AssertBadAsync(long seq, string problem)
    {
        var result = await _db.Service.VerifyAsync(AuditDatabase.OperatorAuditor);
        Assert.Multiple(() =>
        {
            Assert.That(result.Ok, Is.False);
            Assert.That(result.FirstBadSeq, Is.EqualTo(seq), result.Problem);
            Assert.That(result.Problem, Does.Contain(problem));
        });
    }
}
