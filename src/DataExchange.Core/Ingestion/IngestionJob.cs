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
    /// <remarks><paramref name="ticket"/> is the run's job ticket when this job was enqueued; a job whose ticket was replaced (by a hand-over or a recovery) does nothing.</remarks>
    public Task ExecuteAsync(long runId, Guid ticket, PerformContext? context, CancellationToken cancellationToken)
    {
        var retryCount = context?.GetJobParameter<int>("RetryCount") ?? 0;
        return runner.ExecuteAsync(runId, ticket, finalAttempt: retryCount >= options.Value.RetryDelays.Length, cancellationToken);
    }

    /// <summary>The recurring trigger: records a scheduled run and queues it. A trigger while another run is in progress or waiting ends as 'skipped'.</summary>
    [AutomaticRetry(Attempts = 0)]
    public Task RunScheduledAsync(string datasetId, CancellationToken cancellationToken) =>
        service.QueueScheduledAsync(datasetId, cancellationToken);
}
