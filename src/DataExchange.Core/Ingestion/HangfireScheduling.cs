using DataExchange.Core.Feeds;
using Hangfire;
using Hangfire.States;

namespace DataExchange.Core.Ingestion;

/// <summary>One recurring Hangfire job per feed, id <c>feed:&lt;dataset&gt;</c>, in UTC.</summary>
public sealed class HangfireFeedScheduler(IRecurringJobManager jobs) : IFeedScheduler
{
    /// <inheritdoc />
    public void Schedule(string datasetId, string? cron)
    {
        var id = "feed:" + datasetId;
        if (cron is null) jobs.RemoveIfExists(id);
        else jobs.AddOrUpdate<IngestionJob>(id, j => j.RunScheduledAsync(datasetId, CancellationToken.None), cron, new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc });
    }
}

/// <summary>Queues run executions as Hangfire jobs.</summary>
public sealed class HangfireRunQueue(IBackgroundJobClient jobs, JobStorage storage) : IRunQueue
{
    /// <inheritdoc />
    public string Enqueue(long runId, Guid ticket) => jobs.Enqueue<IngestionJob>(j => j.ExecuteAsync(runId, ticket, null, CancellationToken.None));

    static readonly HashSet<string> Alive = [EnqueuedState.StateName, ScheduledState.StateName, ProcessingState.StateName, AwaitingState.StateName];

    /// <inheritdoc />
    public bool IsAlive(string jobId)
    {
        using var connection = storage.GetConnection();
        return connection.GetJobData(jobId)?.State is { } state && Alive.Contains(state);
    }
}
