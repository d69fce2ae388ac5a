namespace DataExchange.Core.Feeds;

/// <summary>Keeps each feed's recurring job in step with its cron.</summary>
public interface IFeedScheduler
{
    /// <summary>Adds, updates or (with a null cron) removes the recurring run of a dataset's feed.</summary>
    void Schedule(string datasetId, string? cron);
}
