using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DataExchange.Core.Pull;

/// <summary>Registers pulls (pages, streams, changes) over their own read pool, with options from section <c>Pull</c>.</summary>
public static class PullServices
{
    /// <summary>Pull service, snapshot reads, change feed, record types, quota, streams, cursors and the read data source for <paramref name="connectionString"/>.</summary>
    public static IServiceCollection AddPull(this IServiceCollection services, string connectionString, IConfiguration configuration)
    {
        services.AddOptions<PullOptions>().Bind(configuration.GetSection("Pull"))
            .Validate(o => o.StreamChunkRows > 0 && o.StreamChunkBytes > 0 && o.MaxStreamsPerKey > 0 && o.MaxStreamsPerAgency > 0, "Pull: chunk sizes and stream limits must be positive.")
            .Validate(o => o.StreamPoolShare is > 0 and <= 1, "Pull: StreamPoolShare is a share of the pool, above 0 and at most 1.")
            .Validate(o => o.ReadPoolSize > 0, "Pull: ReadPoolSize must be positive.")
            .ValidateOnStart();
        services.AddSingleton(sp => new ReadDataSource(connectionString, sp.GetRequiredService<IOptions<PullOptions>>()));
        services.AddSingleton<PullMetrics>().AddSingleton<PullService>().AddSingleton<PullStreams>().AddSingleton<MaskKey>().AddSingleton<PullCursor>()
            .AddSingleton<PullQuota>().AddSingleton<RecordStreamer>().AddSingleton<SnapshotReader>().AddSingleton<ChangeFeed>().AddSingleton<RecordTypes>();
        return services;
    }
}
