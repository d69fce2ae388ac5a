using DataExchange.Core.Audit;
using DataExchange.Core.Common;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Audit;

/// <summary>
/// Issue 16 (and 14): concurrent appends are committed in groups — several entries per transaction and
/// per lock of dx.audit_head — yet each append returns only once its entry is committed, the chain stays
/// one unbroken chain, and one member's failing effect fails only its own append.
/// </summary>
[TestFixture]
public sealed class AuditGroupCommitTests
{
    static readonly Caller Writer = new("writer", "gd-amr", new HashSet<string>(StringComparer.Ordinal) { Role.Consumer });

    [Test]
    public async Task ConcurrentAppends_ShareTransactions_AndEachIsCommittedBeforeItReturns()
    {
        await using var db = await AuditDatabase.CreateAsync("audit_group");
        await using var observer = NpgsqlDataSource.Create(db.ConnectionString);
        const int writers = 16, each = 40;
        var notYetVisible = 0;
        var tasks = Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var positions = new List<long>();
            for (var i = 0; i < each; i++)
            {
                var seq = await db.Writer.AppendAsync(new AuditRecord(Writer, AuditAction.RecordsPulled, AuditOutcome.Allowed, $"w{w}/{i}"));
                // Another session must already see it: the append returned after the commit, not before.
                await using var cmd = Db.Command(observer, "select count(*) from dx.audit_log where seq = $1", seq);
                if ((long)(await cmd.ExecuteScalarAsync())! != 1) Interlocked.Increment(ref notYetVisible);
                positions.Add(seq);
            }
            return positions;
        })).ToList();
        var positions = (await Task.WhenAll(tasks)).SelectMany(p => p).ToList();

        // Rows written by one transaction share its id (xmin): fewer ids than rows means entries were grouped.
        await using var xids = Db.Command(observer, "select count(distinct xmin::text) from dx.audit_log");
        var transactions = (long)(await xids.ExecuteScalarAsync())!;
        var verified = await db.Service.VerifyAsync(AuditDatabase.OperatorAuditor);
        TestContext.Out.WriteLine($"{writers * each} entries in {transactions} transactions");

        Assert.Multiple(() =>
        {
            Assert.That(positions, Is.EquivalentTo(Enumerable.Range(1, writers * each).Select(i => (long)i)), "every append got its own position");
            Assert.That(notYetVisible, Is.Zero, "an append returned before its entry was committed");
            Assert.That(transactions, Is.LessThan(writers * each), "concurrent appends were each committed alone");
            Assert.That(verified, Is.EqualTo(new ChainVerification(true, writers * each, null, null)));
        });
    }

    [Test]
    public async Task AFailingEffect_FailsOnlyItsOwnAppend_AndItsChangesRollBack()
    {
        await using var db = await AuditDatabase.CreateAsync("audit_group_fail");
        var appends = Enumerable.Range(0, 30).Select(i => db.Writer.AppendAsync(async (conn, ct) =>
        {
            // Every member changes something in the group's transaction; member 7 then fails.
            await using (var cmd = Db.Command(conn, "insert into dx.server_secrets (name, value, created_at) values ($1, '\\x00', now())", $"effect-{i}"))
                await cmd.ExecuteNonQueryAsync(ct);
            if (i == 7) throw new InvalidOperationException("effect 7 fails");
            return new AuditRecord(Writer, AuditAction.AccessDenied, AuditOutcome.Denied, $"member-{i}");
        })).ToList();
        var outcomes = await Task.WhenAll(appends.Select(async t => { try { return await t; } catch (InvalidOperationException) { return -1L; } }));

        await using var observer = NpgsqlDataSource.Create(db.ConnectionString);
        await using var names = Db.Command(observer, "select count(*) from dx.server_secrets where name like 'effect-%'");
        await using var targets = Db.Command(observer, "select count(*) from dx.audit_log where target = 'member-7'");
        Assert.Multiple(async () =>
        {
            Assert.That(outcomes.Count(o => o == -1), Is.EqualTo(1), "only member 7 failed");
            Assert.That(outcomes.Where(o => o > 0), Is.EquivalentTo(Enumerable.Range(1, 29).Select(i => (long)i)));
            Assert.That(await names.ExecuteScalarAsync(), Is.EqualTo(29L), "the failed member's change was rolled back, the others kept");
            Assert.That(await targets.ExecuteScalarAsync(), Is.EqualTo(0L));
            Assert.That((await db.Service.VerifyAsync(AuditDatabase.OperatorAuditor)).Ok, Is.True);
        });
    }

    /// <summary>
    /// A writer chains a group on from the head it last committed, without reading it first. When something
    /// else moved the head in between — a second process's writer, an append inside a caller's transaction —
    /// that group's transaction fails as a whole (its effect rolls back) and commits again at the real head.
    /// </summary>
    [Test]
    public async Task WritersTakingTurns_KeepOneChain_AndARetriedGroupCommitsItsEffectOnce()
    {
        await using var db = await AuditDatabase.CreateAsync("audit_group_turns");
        await using var other = NpgsqlDataSource.Create(db.ConnectionString);
        var meters = new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        await using var second = new AuditWriter(other, TimeProvider.System, Options.Create(new AuditOptions()), new AuditMetrics(meters));
        var positions = new List<long>();
        for (var i = 0; i < 12; i++)
        {
            var n = i;
            positions.Add(await db.Writer.AppendAsync(async (conn, ct) =>
            {
                await using (var cmd = Db.Command(conn, "insert into dx.server_secrets (name, value, created_at) values ($1, '\\x00', now())", $"turn-{n}"))
                    await cmd.ExecuteNonQueryAsync(ct);
                return new AuditRecord(Writer, AuditAction.AccessDenied, AuditOutcome.Denied, $"first-{n}");
            }));
            if (n % 2 == 0)
                positions.Add(await second.AppendAsync(new AuditRecord(Writer, AuditAction.AccessDenied, AuditOutcome.Denied, $"second-{n}")));
            else
            {
                await using var conn = await other.OpenConnectionAsync();
                await using var tx = await conn.BeginTransactionAsync();
                positions.Add(await db.Writer.AppendAsync(conn, new AuditRecord(Writer, AuditAction.AccessDenied, AuditOutcome.Denied, $"inside-{n}")));
                await tx.CommitAsync();
            }
        }

        await using var effects = Db.Command(other, "select count(*) from dx.server_secrets where name like 'turn-%'");
        Assert.Multiple(async () =>
        {
            Assert.That(positions, Is.EqualTo(Enumerable.Range(1, 24).Select(i => (long)i)), "each append took the next position, whoever appended before");
            Assert.That(await effects.ExecuteScalarAsync(), Is.EqualTo(12L), "each effect committed once, also where its group was committed again");
            Assert.That(await db.Service.VerifyAsync(AuditDatabase.OperatorAuditor), Is.EqualTo(new ChainVerification(true, 24, null, null)));
        });
    }

    /// <summary>
    /// The usual group — head assumed, no quota to share out — is one statement (migration 0026): its row charges, the
    /// head moved only if still where the group chained on, its entries. When another writer moved the head, the
    /// statement fails whole (the charge is not taken) and the group commits again at the real head: each charge counted
    /// once, each entry once, one chain.
    /// </summary>
    [Test]
    public async Task AChargedGroup_WhoseHeadMoved_ChargesOnce_AndCommitsAtTheRealHead()
    {
        await using var db = await AuditDatabase.CreateAsync("audit_group_charge_turns");
        await using var other = NpgsqlDataSource.Create(db.ConnectionString);
        await using (var seed = Db.Command(other, """
            insert into dx.agencies (id, name, created_at) values ('own', 'Owner', now()), ('use', 'User', now());
            insert into dx.datasets (id, owner_agency_id, title, description, key_fields, classification, tags, compatibility, created_at)
                values ('own.d', 'own', 'D', 'D', '{id}', 'internal', '{}', 'backward', now());
            insert into dx.subscriptions (id, dataset_id, consumer_agency_id, purpose, status, requested_by, created_at) values ('s1', 'own.d', 'use', 'p', 'approved', 'u', now())
            """))
            await seed.ExecuteNonQueryAsync();
        var meters = new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        await using var second = new AuditWriter(other, TimeProvider.System, Options.Create(new AuditOptions()), new AuditMetrics(meters));
        var day = new DateOnly(2026, 12, 3);
        var positions = new List<long>();
        for (var i = 0; i < 8; i++)
        {
            var n = i;
            // Rows 1, 2, 4, ... charged without a quota: the group's one statement, its head assumed from the second group on.
            positions.Add(await db.Writer.AppendAsync(new RowCharge("s1", day, 1L << n, null), used =>
            {
                Assert.That(used, Is.Null, "without a quota every charge is taken");
                return new AuditRecord(Writer, AuditAction.RecordLookedUp, AuditOutcome.Allowed, $"charged-{n}");
            }));
            // Then another writer moves the head, so the next charged group's assumed head is stale.
            positions.Add(await second.AppendAsync(new AuditRecord(Writer, AuditAction.AccessDenied, AuditOutcome.Denied, $"second-{n}")));
        }

        await using var usage = Db.Command(other, "select rows from dx.pull_usage where subscription_id = 's1' and day = $1", day);
        await using var charged = Db.Command(other, "select count(*) from dx.audit_log where target like 'charged-%'");
        Assert.Multiple(async () =>
        {
            Assert.That(positions, Is.EqualTo(Enumerable.Range(1, 16).Select(i => (long)i)), "each append took the next position");
            Assert.That(await usage.ExecuteScalarAsync(), Is.EqualTo(255L), "each charge counted once, also where its statement failed and ran again");
            Assert.That(await charged.ExecuteScalarAsync(), Is.EqualTo(8L));
            Assert.That(await db.Service.VerifyAsync(AuditDatabase.OperatorAuditor), Is.EqualTo(new ChainVerification(true, 16, null, null)));
        });
    }

    /// <summary>
    /// Leader and followers (issue 16): the first append commits its own group at once; those that arrive while it
    /// commits wait and are committed next, together, in the order they arrived, each told only once that group is committed.
    /// </summary>
    [Test]
    public async Task AppendsArrivingWhileAGroupCommits_AreTheNextGroup_InArrivalOrder()
    {
        await using var db = await AuditDatabase.CreateAsync("audit_group_next");
        var (entered, release) = (new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        // The first append leads a group of its own, held open by its effect until released.
        var first = db.Writer.AppendAsync(async (conn, ct) =>
        {
            entered.SetResult();
            await release.Task;
            return new AuditRecord(Writer, AuditAction.AccessDenied, AuditOutcome.Denied, "first");
        });
        await entered.Task;
        var queued = Enumerable.Range(0, 6).Select(i => db.Writer.AppendAsync(new AuditRecord(Writer, AuditAction.RecordsPulled, AuditOutcome.Allowed, $"queued-{i}"))).ToList();
        await using var observer = NpgsqlDataSource.Create(db.ConnectionString);
        await using var rows = Db.Command(observer, "select count(*) from dx.audit_log");
        Assert.Multiple(async () =>
        {
            Assert.That(queued.Any(t => t.IsCompleted), Is.False, "no append behind a committing group is told before its own group commits");
            Assert.That(await rows.ExecuteScalarAsync(), Is.EqualTo(0L));
        });

        release.SetResult();
        Assert.That(await first, Is.EqualTo(1L));
        var positions = await Task.WhenAll(queued);
        await using var order = Db.Command(observer, "select string_agg(target, ',' order by seq), count(distinct xmin::text) from dx.audit_log where target like 'queued-%'");
        await using var reader = await order.ExecuteReaderAsync();
        await reader.ReadAsync();
        Assert.Multiple(async () =>
        {
            Assert.That(positions, Is.EqualTo(new long[] { 2, 3, 4, 5, 6, 7 }), "in the order they arrived");
            Assert.That(reader.GetString(0), Is.EqualTo(string.Join(',', Enumerable.Range(0, 6).Select(i => $"queued-{i}"))));
            Assert.That(reader.GetInt64(1), Is.EqualTo(1L), "the six that waited were committed as one group");
            Assert.That(await db.Service.VerifyAsync(AuditDatabase.OperatorAuditor), Is.EqualTo(new ChainVerification(true, 7, null, null)));
        });
    }

    /// <summary>Disposing a writer while a group commits lets the appends already queued commit, and refuses new ones.</summary>
    [Test]
    public async Task DisposingWhileAGroupCommits_CommitsTheQueued_AndRefusesNewAppends()
    {
        await using var db = await AuditDatabase.CreateAsync("audit_group_dispose");
        await using var other = NpgsqlDataSource.Create(db.ConnectionString);
        var meters = new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        var writer = new AuditWriter(other, TimeProvider.System, Options.Create(new AuditOptions()), new AuditMetrics(meters));
        var (entered, release) = (new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        var first = writer.AppendAsync(async (conn, ct) =>
        {
            entered.SetResult();
            await release.Task;
            return new AuditRecord(Writer, AuditAction.AccessDenied, AuditOutcome.Denied, "first");
        });
        await entered.Task;
        var queued = Enumerable.Range(0, 3).Select(i => writer.AppendAsync(new AuditRecord(Writer, AuditAction.AccessDenied, AuditOutcome.Denied, $"queued-{i}"))).ToList();
        var disposed = writer.DisposeAsync().AsTask();
        Assert.That(() => writer.AppendAsync(new AuditRecord(Writer, AuditAction.AccessDenied, AuditOutcome.Denied, "late")), Throws.InstanceOf<ObjectDisposedException>());
        Assert.That(disposed.IsCompleted, Is.False, "dispose waits for the group under way and those queued behind it");

        release.SetResult();
        await disposed;
        await using (var rows = Db.Command(other, "select count(*) from dx.audit_log"))
            Assert.That(await rows.ExecuteScalarAsync(), Is.EqualTo(4L), "every append queued before the dispose was committed by the time it returned");
        Assert.That(await Task.WhenAll(queued.Prepend(first)), Is.EqualTo(new long[] { 1, 2, 3, 4 }));
        Assert.That(await db.Service.VerifyAsync(AuditDatabase.OperatorAuditor), Is.EqualTo(new ChainVerification(true, 4, null, null)));
    }
}
