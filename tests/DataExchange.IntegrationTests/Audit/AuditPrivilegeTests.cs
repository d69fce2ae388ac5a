using DataExchange.Core.Audit;
using DataExchange.Core.Common;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Audit;

/// <summary>
/// Issue 6: connected as the non-owner application role with exactly the grants the README
/// prescribes, the application can append to the log but cannot change, remove, truncate, alter,
/// unprotect or drop it — privileges refuse, not only the triggers that an owner could disable.
/// Needs no server, only the log and its writer: it starts on <see cref="AuditDatabase"/>, the audit tests' shared start
/// (a migrated database with the audit services, no web host or Hangfire), not on <see cref="Hosting.ExchangeFixture"/>.
/// </summary>
[TestFixture]
public sealed class AuditPrivilegeTests
{
    AuditDatabase _db = null!;
    NpgsqlDataSource _app = null!;

    [OneTimeSetUp]
    public async Task CreateAppRoleAsync()
    {
        _db = await AuditDatabase.CreateAsync("audit_priv");
        await _db.AppendAsync(3);
        var role = "app_" + new NpgsqlConnectionStringBuilder(_db.ConnectionString).Database;
        var password = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12));
        await using (var conn = new NpgsqlConnection(_db.ConnectionString))
        {
            await conn.OpenAsync();
            // The README's grants, verbatim apart from the role name.
            foreach (var sql in new[]
            {
                $"create role {role} login password '{password}'",
                $"grant usage on schema dx to {role}",
                $"grant select, insert, update, delete on all tables in schema dx to {role}",
                $"revoke update, delete on dx.audit_log, dx.audit_checkpoints from {role}",
            })
            {
                await using var cmd = new NpgsqlCommand(sql, conn);
                await cmd.ExecuteNonQueryAsync();
            }
        }
        _app = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(_db.ConnectionString) { Username = role, Password = password }.ConnectionString);
    }

    [OneTimeTearDown]
    public async Task DropAsync()
    {
        await _app.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Test]
    public async Task AppRole_CanAppendThroughTheWriter()
    {
        var writer = new AuditWriter(_app, TimeProvider.System, Options.Create(new AuditOptions()), new AuditMetrics(new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()));

        var seq = await writer.AppendAsync(new AuditRecord(null, AuditAction.AgencyCreated, AuditOutcome.Succeeded, "as-app"));

        Assert.That(seq, Is.GreaterThan(3));
    }

    [TestCase("update dx.audit_log set target = 'x' where seq = 1")]
    [TestCase("delete from dx.audit_log where seq = 1")]
    [TestCase("truncate dx.audit_log")]
    [TestCase("alter table dx.audit_log disable trigger user")]
    [TestCase("alter table dx.audit_log add column forged text")]
    [TestCase("drop table dx.audit_log")]
    [TestCase("update dx.audit_checkpoints set tree_size = 0")]
    [TestCase("drop trigger audit_log_no_update_delete on dx.audit_log")]
    public async Task AppRole_IsRefused(string sql)
    {
        var e = await Assert.ThrowsAsync<PostgresException>(async () =>
        {
            await using var cmd = _app.CreateCommand(sql);
            await cmd.ExecuteNonQueryAsync();
        });
        Assert.Multiple(() =>
        {
            Assert.That(e!.SqlState, Is.EqualTo(PostgresErrorCodes.InsufficientPrivilege), e.MessageText);
            // The privilege check, not the trigger (which raises the same SQLSTATE, "… is append-only").
            Assert.That(e.MessageText, Does.Match("^(permission denied|must be owner)"));
        });
    }

    [Test]
    public async Task AfterTheRefusals_TheLogStillVerifies()
    {
        var result = await _db.Service.VerifyAsync(AuditDatabase.OperatorAuditor);

        Assert.That(result.Ok, Is.True, result.Problem);
    }
}
