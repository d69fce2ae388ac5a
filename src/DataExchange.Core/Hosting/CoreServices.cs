using DataExchange.Core.Agencies;
using DataExchange.Core.Audit;
using DataExchange.Core.Catalogue;
using DataExchange.Core.Common;
using DataExchange.Core.Datasets;
using DataExchange.Core.Feeds;
using DataExchange.Core.Ingestion;
using DataExchange.Core.Lookup;
using DataExchange.Core.Pull;
using DataExchange.Core.Subscriptions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace DataExchange.Core.Hosting;

/// <summary>Registers the capabilities of the exchange; hosts add HTTP and Hangfire on top.</summary>
public static class CoreServices
{
    /// <summary>
    /// Adds every capability over one <see cref="NpgsqlDataSource"/> for <paramref name="connectionString"/>:
    /// what they share here, then each feature's own registration (its <c>AddX</c>, in its folder).
    /// </summary>
    public static IServiceCollection AddDataExchangeCore(this IServiceCollection services, string connectionString, IConfiguration configuration)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.AddSingleton(_ => new NpgsqlDataSourceBuilder(connectionString) { Name = "dataexchange" }.Build());
        services.AddSingleton(new DatabaseOptions(connectionString)).AddSingleton<Migrator>();
        services.AddSingleton<IdempotencyStore>();
        services.AddOptions<AccessCacheOptions>().Bind(configuration.GetSection("AccessCache"))
            .Validate(o => o.Ttl >= TimeSpan.Zero && o.Capacity > 0, "AccessCache: Ttl must not be negative and Capacity must be positive.")
            .ValidateOnStart();
        return services
            .AddAudit(configuration)
            .AddAgencies(configuration)
            .AddFeeds(configuration)
            .AddDatasets()
            .AddCatalogue()
            .AddIngestion(configuration)
            .AddPull(connectionString, configuration)
            .AddLookup(configuration)
            .AddSubscriptions(configuration);
    }
}
