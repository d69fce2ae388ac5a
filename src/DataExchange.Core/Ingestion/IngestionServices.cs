using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace DataExchange.Core.Ingestion;

/// <summary>Registers the ingestion pipeline: its parts, its jobs, the run queue and the recovery sweep.</summary>
public static class IngestionServices
{
    /// <summary>The ingestion pipeline and its Hangfire jobs, with options from section <c>Ingestion</c>.</summary>
    public static IServiceCollection AddIngestion(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection("Ingestion");
        services.AddOptions<IngestionOptions>().Bind(section)
            // The binder appends configured array items to the defaults; configured delays replace them.
            .Configure(o => o.RetryDelays = section.GetSection(nameof(IngestionOptions.RetryDelays)).Get<TimeSpan[]>() ?? o.RetryDelays)
            .Validate(o => o.BatchSize > 0 && o.Validators > 0 && o.MaxRecordBytes > 0, "Ingestion: sizes must be positive.")
            .Validate(o => o.RetryDelays.All(d => d >= TimeSpan.Zero), "Ingestion: retry delays must not be negative.")
            .Validate(o => o.PatternBudget > TimeSpan.Zero && o.MaxPatternTimeouts >= 0, "Ingestion: PatternBudget must be positive and MaxPatternTimeouts not negative.")
            .Validate(o => o.RecoverAfter > TimeSpan.Zero && o.RecoverInterval > TimeSpan.Zero, "Ingestion: RecoverAfter and RecoverInterval must be positive.")
            .ValidateOnStart();
        services.AddSingleton<IngestionRetryFilterProvider>();
        // The pipeline's parts, each a step of a run (see IngestionRunner).
        services.AddSingleton<RunLedger>().AddSingleton<RunWaiting>().AddSingleton<QuarantineReplay>().AddSingleton<PayloadSource>().AddSingleton<RunStager>()
            .AddSingleton<SkippedVerifier>().AddSingleton<KnownRows>().AddSingleton<StageDeduplicator>().AddSingleton<RunDiff>().AddSingleton<ProvenDiff>().AddSingleton<RunHold>().AddSingleton<RunPublisher>()
            .AddSingleton<HeldRelease>();
        services.AddSingleton<RunMetrics>().AddSingleton<IngestionRunner>().AddSingleton<IngestionService>().AddSingleton<HeldRunService>().AddTransient<IngestionJob>();
        services.AddSingleton<IRunQueue, HangfireRunQueue>().AddSingleton<RunDispatcher>().AddHostedService<RunRecoverySweep>();
        return services;
    }
}
