using DataExchange.Core.Ingestion;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace DataExchange.Core.Feeds;

/// <summary>Registers feed fetching: sources, uploads, the host allow-list and feed credentials.</summary>
public static class FeedServices
{
    /// <summary>Feed fetching, with options from section <c>Feeds</c>.</summary>
    public static IServiceCollection AddFeeds(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<FeedOptions>().Bind(configuration.GetSection("Feeds"))
            .Validate(o => o.MaxPayloadBytes > 0 && o.ReadTimeout > TimeSpan.Zero && o.ConnectTimeout > TimeSpan.Zero, "Feeds: limits and timeouts must be positive.")
            .ValidateOnStart();
        services.AddSingleton<FeedSources>().AddSingleton<UploadStore>().AddSingleton<FeedHostList>().AddSingleton<FeedHostService>().AddSingleton<FeedCredentialStore>();
        services.AddHostedService<FeedHostRefresher>();
        services.AddSingleton<IFeedScheduler, HangfireFeedScheduler>();
        return services;
    }
}
