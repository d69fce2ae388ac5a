using DataExchange.Core.Feeds;
using Hangfire;

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
public sealed class HangfireRunQueue(IBackgroundJobClient jobs) : IRunQueue
{
    /// <inheritdoc />
    public void Enqueue(long runId) => jobs.Enqueue<IngestionJob>(j => j.ExecuteAsync(runId, null, CancellationToken.None));
}
