using DataExchange.Core.Hosting;
using Hangfire;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace DataExchange.Server.Hosting;

/// <summary>
/// /health/live (the process answers) and /health/ready (database migrated, Hangfire storage up). The
/// database check has a pool of its own, so a busy main pool never makes the node look dead (issue 13,
/// item 13: slow streams took every pooled connection and readiness answered 503 after 15 s).
/// </summary>
public static class Health
{
    /// <summary>Adds the readiness checks.</summary>
    public static IServiceCollection AddExchangeHealthChecks(this IServiceCollection services)
    {
        services.AddSingleton<HealthDatabase>();
        services.AddHealthChecks()
            .AddCheck<DatabaseCheck>("database", tags: ["ready"])
            .AddCheck<HangfireCheck>("hangfire", tags: ["ready"]);
        return services;
    }

    /// <summary>Maps the two probes (anonymous: orchestrators call them without keys).</summary>
    public static void MapExchangeHealth(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new() { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/health/ready", new() { Predicate = c => c.Tags.Contains("ready") }).AllowAnonymous();
    }

    /// <summary>A migrator over a pool of at most two connections that only the readiness probe uses.</summary>
    sealed class HealthDatabase : IDisposable
    {
        readonly NpgsqlDataSource _dataSource;

        public HealthDatabase(DatabaseOptions database, ILogger<Migrator> logger)
        {
            var connection = new NpgsqlConnectionStringBuilder(database.ConnectionString) { MinPoolSize = 0, MaxPoolSize = 2 };
            _dataSource = new NpgsqlDataSourceBuilder(connection.ConnectionString) { Name = "dataexchange-health" }.Build();
            Migrator = new Migrator(_dataSource, database, logger);
        }

        public Migrator Migrator { get; }

        public void Dispose() => _dataSource.Dispose();
    }

    sealed class DatabaseCheck(HealthDatabase database) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                return await database.Migrator.IsCurrentAsync(cancellationToken) ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("Migrations are not applied.");
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException)
            {
                return HealthCheckResult.Unhealthy("The database is unreachable.", e);
            }
        }
    }

    sealed class HangfireCheck(JobStorage storage) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                using var connection = storage.GetConnection();
                _ = connection.GetAllItemsFromSet("recurring-jobs").Count;
                return Task.FromResult(HealthCheckResult.Healthy());
            }
            catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException or InvalidOperationException)
            {
                return Task.FromResult(HealthCheckResult.Unhealthy("Hangfire storage is unreachable.", e));
            }
        }
    }
}
