using DbUp;
using DbUp.Engine.Output;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace DataExchange.Core.Hosting;

/// <summary>The database the exchange uses (the data source hides its password, DbUp needs it).</summary>
public sealed record DatabaseOptions(string ConnectionString);

/// <summary>
/// Applies the numbered SQL files under Hosting/Migrations with DbUp (a maintained runner with a
/// journal table), then the steps done in code (<see cref="RecordRehash"/> once, the audit action numbers of
/// <see cref="Audit.AuditActionCodes"/> at every start), inside a PostgreSQL
/// advisory lock so that several server processes starting at once migrate exactly once.
/// </summary>
public sealed partial class Migrator(NpgsqlDataSource dataSource, DatabaseOptions database, ILogger<Migrator> logger)
{
    // Arbitrary, fixed: "DX" + "MIGR".
    const long LockKey = 0x44_58_4D_49_47_52;

    /// <summary>Brings the database to the newest schema.</summary>
    public async Task MigrateAsync(CancellationToken cancellationToken = default)
    {
        await using var lockConnection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using (var cmd = new NpgsqlCommand("select pg_advisory_lock(@key)", lockConnection))
        {
            cmd.Parameters.AddWithValue("key", LockKey);
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        }
        try
        {
            await using (var cmd = new NpgsqlCommand("create schema if not exists dx", lockConnection))
                await cmd.ExecuteNonQueryAsync(cancellationToken);
            var upgrader = DeployChanges.To
                .PostgresqlDatabase(database.ConnectionString)
                .JournalToPostgresqlTable("dx", "migrations")
                .WithScriptsEmbeddedInAssembly(typeof(Migrator).Assembly, name => name.Contains(".Hosting.Migrations.", StringComparison.Ordinal))
                .WithTransactionPerScript()
                .LogTo(new UpgradeLog(logger))
                .Build();
            var result = upgrader.PerformUpgrade();
            if (!result.Successful)
                throw new InvalidOperationException($"Migration {result.ErrorScript?.Name} failed: {result.Error.Message}", result.Error);
            await RecordRehash.RunAsync(lockConnection, logger, cancellationToken);
            await Audit.AuditActionCodes.SyncAsync(lockConnection, cancellationToken);
        }
        finally
        {
            await using var cmd = new NpgsqlCommand("select pg_advisory_unlock(@key)", lockConnection);
            cmd.Parameters.AddWithValue("key", LockKey);
            await cmd.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    /// <summary>Whether every migration has been applied (for the readiness probe).</summary>
    public async Task<bool> IsCurrentAsync(CancellationToken cancellationToken = default)
    {
        var expected = typeof(Migrator).Assembly.GetManifestResourceNames().Count(n => n.Contains(".Hosting.Migrations.", StringComparison.Ordinal));
        await using var cmd = dataSource.CreateCommand("select count(*) from dx.migrations");
        try
        {
            return Convert.ToInt32(await cmd.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) >= expected;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return false;
        }
    }

    sealed class UpgradeLog(ILogger logger) : IUpgradeLog
    {
        public void LogTrace(string format, params object[] args) { }
        public void LogDebug(string format, params object[] args) { }
        public void LogInformation(string format, params object[] args) => LogMigration(logger, string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args));
        public void LogWarning(string format, params object[] args) => LogMigration(logger, string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args));
        public void LogError(string format, params object[] args) => LogMigrationError(logger, string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args));
        public void LogError(Exception ex, string format, params object[] args) => LogMigrationError(logger, string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Migrations: {Message}")]
    static partial void LogMigration(ILogger logger, string message);

    [LoggerMessage(Level = LogLevel.Error, Message = "Migrations: {Message}")]
    static partial void LogMigrationError(ILogger logger, string message);
}
