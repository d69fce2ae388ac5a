using System.Diagnostics.Metrics;
using DataExchange.Core.Common;

namespace DataExchange.Core.Ingestion;

/// <summary>
/// Ingestion runs as metrics, tagged by <c>dataset</c>: runs ended (by <c>status</c> and <c>trigger</c>),
/// records read, rejected and published. Recorded where a run's end is written, so a run counts once however
/// it ends. The time of each phase is <see cref="IngestionMetrics"/>' histogram.
/// </summary>
public sealed class RunMetrics
{
    readonly Counter<long> _runs, _read, _rejected, _published;

    /// <summary>Creates the instruments on the exchange's meter.</summary>
    public RunMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(Telemetry.Name);
        _runs = meter.CreateCounter<long>("dx.runs", "{run}", "Ingestion runs ended, by dataset, trigger and final status.");
        _read = meter.CreateCounter<long>("dx.run.records.read", "{record}", "Records read from payloads by runs that ended.");
        _rejected = meter.CreateCounter<long>("dx.run.records.rejected", "{record}", "Records quarantined by runs that ended.");
        _published = meter.CreateCounter<long>("dx.run.records.published", "{record}", "Records inserted, updated or deleted by published versions.");
    }

    /// <summary>Records a run's end: its status, and its counts when it read a payload (published only for a succeeded run).</summary>
    public void Ended(string datasetId, RunTrigger trigger, RunStatus status, RunCounts? counts)
    {
        var dataset = new KeyValuePair<string, object?>("dataset", datasetId);
        _runs.Add(1, dataset, new("trigger", trigger.Name()), new("status", status.Name()));
        if (counts is null) return;
        _read.Add(counts.Read, dataset);
        _rejected.Add(counts.Rejected, dataset);
        if (status == RunStatus.Succeeded) _published.Add(counts.Inserted + counts.Updated + counts.Deleted, dataset);
    }
}
