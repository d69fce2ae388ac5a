using DataExchange.Core.Subscriptions.Notifications;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace DataExchange.Core.Subscriptions;

/// <summary>Registers subscriptions and their webhooks (the outbox and its dispatcher), with options from section <c>Webhooks</c>.</summary>
public static class SubscriptionServices
{
    /// <summary>Subscriptions, their auto-approval, webhooks, their sender and jobs, and the outbox dispatcher.</summary>
    public static IServiceCollection AddSubscriptions(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<SubscriptionService>().AddSingleton<AutoApprovals>();
        services.AddOptions<WebhookOptions>().Bind(configuration.GetSection("Webhooks"))
            .Validate(o => o.MaxAttempts > 0 && o.FirstRetryDelay >= TimeSpan.Zero && o.BackoffFactor >= 1 && o.MaxRetryDelay >= o.FirstRetryDelay,
                "Webhooks: MaxAttempts must be positive, BackoffFactor at least 1, MaxRetryDelay at least FirstRetryDelay.")
            .ValidateOnStart();
        services.AddSingleton<WebhookMetrics>().AddSingleton<WebhookService>().AddSingleton<WebhookSecrets>().AddSingleton<WebhookSender>().AddTransient<WebhookJob>().AddHostedService<OutboxDispatcher>();
        return services;
    }
}
