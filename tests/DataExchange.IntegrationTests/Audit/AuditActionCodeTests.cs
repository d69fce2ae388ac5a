using DataExchange.Core.Audit;
using DataExchange.Core.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Audit;

/// <summary>Issue 19, item 9: audit action numbers are stored beside their names and hold the log to them.</summary>
[TestFixture]
public sealed class AuditActionCodeTests
{
    AuditDatabase _db = null!;

    [SetUp]
    public async Task SetUp() => _db = await AuditDatabase.CreateAsync("audit-actions");

    [TearDown]
    public async Task TearDown() => await _db.DisposeAsync();

    async Task<List<(int Code, string Name)>> StoredAsync()
    {
        await using var data = NpgsqlDataSource.Create(_db.ConnectionString);
        await using var cmd = data.CreateCommand("select code, name from dx.audit_actions order by code");
        await using var r = await cmd.ExecuteReaderAsync();
        var stored = new List<(int, string)>();
        while (await r.ReadAsync()) stored.Add((r.GetInt32(0), r.GetString(1)));
        return stored;
    }

    async Task ExecAsync(string sql)
    {
        await using var data = NpgsqlDataSource.Create(_db.ConnectionString);
        await using var cmd = data.CreateCommand(sql);
        await cmd.ExecuteNonQueryAsync();
    }

    [Test]
    public async Task TheMigrator_StoresEveryActionWithItsNumber()
    {
        var stored = await StoredAsync();
        Assert.That(stored, Is.EquivalentTo(AuditActionCodes.All));
        Assert.That(stored, Does.Contain((100, "agency-created")).And.Contain((310, "version-published")));
    }

    [Test]
    public async Task AnEntryWhoseActionHasNoNumber_IsRefusedByTheDatabase()
    {
        await _db.AppendAsync(1);
        var e = (await Assert.ThrowsAsync<PostgresException>(() => _db.InsertRawAsync(new AuditEntry(2, DateTimeOffset.UtcNow, "gd-amr", "k", "agency-made", null, null,
            "succeeded", new System.Text.Json.Nodes.JsonObject(), new byte[32], new byte[32]))))!;
        Assert.That((e.SqlState, e.ConstraintName), Is.EqualTo((PostgresErrorCodes.ForeignKeyViolation, "audit_log_action_known")));
    }

    [Test]
    public async Task ABuildThatRenamesANumberedAction_DoesNotStart_AndTheNumbersStayAsStored()
    {
        // As the database looks after a build in which 132 was named differently wrote to it.
        await ExecAsync("update dx.audit_actions set name = 'console-sign-in-refusals' where code = 132");
        var before = await StoredAsync();
        await using var data = NpgsqlDataSource.Create(_db.ConnectionString);
        var migrator = new Migrator(data, new DatabaseOptions(_db.ConnectionString), NullLogger<Migrator>.Instance);

        var e = (await Assert.ThrowsAsync<InvalidOperationException>(() => migrator.MigrateAsync()))!;

        Assert.That(e.Message, Does.Contain("132 'console-sign-in-refusals' is now 132 'console-sign-in-refusal-summary'"));
        Assert.That(await StoredAsync(), Is.EqualTo(before));
    }
}
