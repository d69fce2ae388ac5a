using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace DataExchange.Core.Audit;

/// <summary>Registers the audit trail with options from section <c>Audit</c>.</summary>
public static class AuditServices
{
    /// <summary>Writer, reader, refusal log, checkpoints, proofs and the signing key.</summary>
    public static IServiceCollection AddAudit(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AuditOptions>().Bind(configuration.GetSection("Audit"))
            .Validate(o => o.CheckpointEvery > 0 && o.CheckpointInterval > TimeSpan.Zero && o.CheckpointPollInterval > TimeSpan.Zero && o.RefusalWindow > TimeSpan.Zero,
                "Audit: checkpoint count and intervals, and the refusal window, must be positive.")
            .Validate(o => !string.IsNullOrWhiteSpace(o.SigningKeyPath), "Audit: SigningKeyPath is required.")
            .ValidateOnStart();
        services.AddSingleton<AuditMetrics>().AddSingleton<AuditWriter>().AddSingleton<AuditService>().AddSingleton<RefusalLog>();
        services.AddSingleton<AuditSigningKey>().AddSingleton<AuditCheckpoints>().AddSingleton<AuditProofs>().AddSingleton<AuditLeafCache>();
        return services;
    }

    /// <summary>The background signer of checkpoints (worker nodes).</summary>
    public static IServiceCollection AddAuditCheckpointWorker(this IServiceCollection services) =>
        services.AddHostedService<AuditCheckpointWorker>();
}
