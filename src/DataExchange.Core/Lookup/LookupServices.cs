using DataExchange.Core.Hosting;
using DataExchange.Core.Audit;
using DataExchange.Core.Pull;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DataExchange.Core.Lookup;

/// <summary>Registers lookups by key, their evidence and the subject access reports, with options from section <c>Lookup</c>.</summary>
public static class LookupServices
{
    /// <summary>Lookup service and its pool, evidence signer, subject hashing and reports.</summary>
    public static IServiceCollection AddLookup(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<LookupOptions>().Bind(configuration.GetSection("Lookup"))
            .Validate(o => o.MaxBatchKeys > 0 && o.PoolSize > 0 && !string.IsNullOrWhiteSpace(o.EvidenceKeyPath), "Lookup: MaxBatchKeys and PoolSize must be positive and EvidenceKeyPath set.")
            .ValidateOnStart();
        services.AddSingleton<LookupMetrics>();
        services.AddSingleton(sp => new LookupDataSource(sp.GetRequiredService<DatabaseOptions>().ConnectionString, sp.GetRequiredService<IOptions<LookupOptions>>()));
        services.AddSingleton<LookupService>().AddSingleton<EvidenceSigner>().AddSingleton<SubjectHash>().AddSingleton<SubjectReports>().AddSingleton<LookupActivity>();
        return services;
    }
}
