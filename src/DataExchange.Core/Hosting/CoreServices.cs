using DataExchange.Core.Agencies;
using DataExchange.Core.Audit;
using DataExchange.Core.Catalogue;
using DataExchange.Core.Common;
using DataExchange.Core.Datasets;
using DataExchange.Core.Datasets.Components;
using DataExchange.Core.Feeds;
using DataExchange.Core.Ingestion;
using DataExchange.Core.Lookup;
using DataExchange.Core.Pull;
using DataExchange.Core.Subscriptions;
using DataExchange.Core.Subscriptions.Notifications;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace DataExchange.Core.Hosting;

/// <summary>Registers the capabilities of the exchange; hosts add HTTP and Hangfire on top.</summary>
public static class CoreServices
{
    /// <summary>Adds every capability over one <see cref="NpgsqlDataSource"/> for <paramref name="connectionString"/>.</summary>
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
        services.AddAudit(configuration);
        services.AddSingleton<AgencyService>().AddSingleton<ApiKeyService>().AddSingleton<SignInRefusals>();
        services.AddOptions<ConsoleSignInOptions>().Bind(configuration.GetSection("Console:SignIn"))
            .Validate(o => o.PermitLimit > 0 && o.Window > TimeSpan.Zero && o.AuditWindow > TimeSpan.Zero, "Console:SignIn: PermitLimit, Window and AuditWindow must be positive.")
            .ValidateOnStart();
        services.AddFeeds(configuration).AddSingleton<DatasetRegistry>().AddSingleton<SchemaComponentStore>().AddSingleton<CatalogueService>().AddSingleton<CatalogueEntries>().AddSingleton<DcatCatalogue>();
        services.AddIngestion(configuration);
        services.AddOptions<PullOptions>().Bind(configuration.GetSection("Pull"))
            .Validate(o => o.StreamChunkRows > 0 && o.StreamChunkBytes > 0 && o.MaxStreamsPerKey > 0 && o.MaxStreamsPerAgency > 0, "Pull: chunk sizes and stream limits must be positive.")
            .Validate(o => o.StreamPoolShare is > 0 and <= 1, "Pull: StreamPoolShare is a share of the pool, above 0 and at most 1.")
            .Validate(o => o.ReadPoolSize > 0, "Pull: ReadPoolSize must be positive.")
            .ValidateOnStart();
        services.AddSingleton(sp => new ReadDataSource(connectionString, sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<PullOptions>>()));
        services.AddSingleton<PullMetrics>().AddSingleton<LookupMetrics>();
        services.AddSingleton<SubscriptionService>().AddSingleton<PullService>().AddSingleton<PullStreams>().AddSingleton<MaskKey>().AddSingleton<PullCursor>();
        services.AddOptions<LookupOptions>().Bind(configuration.GetSection("Lookup"))
            .Validate(o => o.MaxBatchKeys > 0 && !string.IsNullOrWhiteSpace(o.EvidenceKeyPath), "Lookup: MaxBatchKeys must be positive and EvidenceKeyPath set.")
            .ValidateOnStart();
        services.AddSingleton<LookupService>().AddSingleton<EvidenceSigner>().AddSingleton<SubjectHash>().AddSingleton<SubjectReports>().AddSingleton<LookupActivity>();
        services.AddOptions<WebhookOptions>().Bind(configuration.GetSection("Webhooks"))
            .Validate(o => o.MaxAttempts > 0 && o.FirstRetryDelay >= TimeSpan.Zero && o.BackoffFactor >= 1 && o.MaxRetryDelay >= o.FirstRetryDelay,
                "Webhooks: MaxAttempts must be positive, BackoffFactor at least 1, MaxRetryDelay at least FirstRetryDelay.")
            .ValidateOnStart();
        services.AddSingleton<WebhookMetrics>().AddSingleton<WebhookService>().AddSingleton<WebhookSender>().AddTransient<WebhookJob>().AddHostedService<OutboxDispatcher>();
        return services;
    }
}
