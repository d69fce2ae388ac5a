using System.Diagnostics;
using System.Diagnostics.Metrics;
using DataExchange.Core.Common;

namespace DataExchange.Core.Pull;

/// <summary>
/// Pulls as metrics, tagged by <c>dataset</c>, <c>list</c> (records or changes), <c>format</c> (json, ndjson,
/// csv) and <c>outcome</c> (completed, interrupted, not-modified): pulls, rows and bytes served (as written,
/// before gzip), and the time from the access decision to the pull's audit entry.
/// </summary>
public sealed class PullMetrics
{
    readonly Counter<long> _pulls, _rows, _bytes;
    readonly Histogram<double> _duration;

    /// <summary>Creates the instruments on the exchange's meter.</summary>
    public PullMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(Telemetry.Name);
        _pulls = meter.CreateCounter<long>("dx.pulls", "{pull}", "Pulls on the record: JSON pages, whole streams, 304 answers.");
        _rows = meter.CreateCounter<long>("dx.pull.rows", "{row}", "Rows served by pulls (records, or changes of the change feed).");
        _bytes = meter.CreateCounter<long>("dx.pull.bytes", "By", "Bytes of rows served by pulls, as written before gzip.");
        _duration = meter.SecondsHistogram("dx.pull.duration", "Time from a pull's access decision to its audit entry (a stream: its last row handed over).");
    }

    /// <summary>Outcomes of a pull.</summary>
    public const string Completed = "completed", Interrupted = "interrupted", NotModified = "not-modified";

    /// <summary>Records one pull of <paramref name="context"/>, opened at <see cref="PullContext.OpenedAt"/>.</summary>
    public void Pulled(PullContext context, string list, string format, string outcome, long rows, long bytes)
    {
        var tags = new TagList { { "dataset", context.DatasetId }, { "list", list }, { "format", format }, { "outcome", outcome } };
        _pulls.Add(1, tags);
        _rows.Add(rows, tags);
        _bytes.Add(bytes, tags);
        _duration.Record(Stopwatch.GetElapsedTime(context.OpenedAt).TotalSeconds, tags);
    }
}
