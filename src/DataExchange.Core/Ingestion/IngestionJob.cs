using Hangfire;
using Hangfire.Server;

namespace DataExchange.Core.Ingestion;

/// <summary>The Hangfire entry points of ingestion. Jobs carry only ids; all state is in PostgreSQL.</summary>
public sealed class IngestionJob(IngestionRunner runner, IngestionService service)
{
    /// <summary>Retries of fetch failures, with backoff: 3 more attempts after 10 s, 1 min and 5 min.</summary>
    public const int Retries = 3;

    /// <summary>Executes a queued run; a retryable fetch failure is rethrown so Hangfire retries it.</summary>
    [AutomaticRetry(Attempts = Retries, DelaysInSeconds = [10, 60, 300], OnAttemptsExceeded = AttemptsExceededAction.Delete)]
    public Task ExecuteAsync(long runId, PerformContext? context, CancellationToken cancellationToken)
    {
        var retryCount = context?.GetJobParameter<int>("RetryCount") ?? 0;
        return runner.ExecuteAsync(runId, finalAttempt: retryCount >= Retries, cancellationToken);
    }

    /// <summary>The recurring trigger: records a scheduled run and queues it. A trigger while a run is in progress ends as 'skipped'.</summary>
    [AutomaticRetry(Attempts = 0)]
    public Task RunScheduledAsync(string datasetId, CancellationToken cancellationToken) =>
        service.QueueScheduledAsync(datasetId, cancellationToken);
}
