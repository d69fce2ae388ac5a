using DataExchange.Core.Hosting;
using Hangfire;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DataExchange.Server.Hosting;

/// <summary>/health/live (the process answers) and /health/ready (database migrated, Hangfire storage up).</summary>
public static class Health
{
    /// <summary>Adds the readiness checks.</summary>
    public static IServiceCollection AddExchangeHealthChecks(this IServiceCollection services)
    {
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

    sealed class DatabaseCheck(Migrator migrator) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                return await migrator.IsCurrentAsync(cancellationToken) ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("Migrations are not applied.");
            }
            catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException)
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
