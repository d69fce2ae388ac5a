namespace DataExchange.Core.Ingestion;

/// <summary>Hands a queued run to the background job system.</summary>
public interface IRunQueue
{
    /// <summary>Enqueues the execution of <paramref name="runId"/> by the job holding <paramref name="ticket"/>; returns the job's id.</summary>
    string Enqueue(long runId, Guid ticket);

    /// <summary>Whether job <paramref name="jobId"/> is still to run or running (enqueued, scheduled for a retry, processing).</summary>
    bool IsAlive(string jobId);
}
