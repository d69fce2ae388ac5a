using Hangfire;
using Hangfire.Server;
using Microsoft.Extensions.Options;

namespace DataExchange.Core.Ingestion;

/// <summary>The Hangfire entry points of ingestion. Jobs carry only ids; all state is in PostgreSQL.</summary>
public sealed class IngestionJob(IngestionRunner runner, IngestionService service, IOptions<IngestionOptions> options)
{
    /// <summary>
    /// Executes a queued run; a retryable failure is rethrown so Hangfire retries it after the next of
    /// <see cref="IngestionOptions.RetryDelays"/> (the filter is <see cref="IngestionRetryFilterProvider"/>).
    /// </summary>
    public Task ExecuteAsync(long runId, PerformContext? context, CancellationToken cancellationToken)
    {
        var retryCount = context?.GetJobParameter<int>("RetryCount") ?? 0;
        return runner.ExecuteAsync(runId, finalAttempt: retryCount >= options.Value.RetryDelays.Length, cancellationToken);
    }

    /// <summary>The recurring trigger: records a scheduled run and queues it. A trigger while a run is in progress ends as 'skipped'.</summary>
    [AutomaticRetry(Attempts = 0)]
    public Task RunScheduledAsync(string datasetId, CancellationToken cancellationToken) =>
        service.QueueScheduledAsync(datasetId, cancellationToken);
}
