using System.Diagnostics;

namespace DataExchange.Core.Common;

/// <summary>
/// The name under which the exchange reports its own metrics (one meter, instruments per capability:
/// <c>RunMetrics</c>, <c>PullMetrics</c>, <c>LookupMetrics</c>, <c>AuditMetrics</c>, <c>WebhookMetrics</c>)
/// and traces (one activity source).
/// </summary>
public static class Telemetry
{
    /// <summary>The meter and activity source name, <c>DataExchange</c>.</summary>
    public const string Name = "DataExchange";

    /// <summary>The activity source of the exchange's own spans (background jobs).</summary>
    public static ActivitySource Source { get; } = new(Name);

    /// <summary>
    /// Bucket bounds in seconds for durations from a fast page (milliseconds) to a large run (an hour);
    /// OpenTelemetry's default bounds are for milliseconds and would put every run in the last bucket.
    /// </summary>
    public static IReadOnlyList<double> SecondsBuckets { get; } = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];

    /// <summary>A histogram of seconds with <see cref="SecondsBuckets"/>.</summary>
    public static System.Diagnostics.Metrics.Histogram<double> SecondsHistogram(this System.Diagnostics.Metrics.Meter meter, string name, string description) =>
        meter.CreateHistogram(name, "s", description, tags: null, advice: new System.Diagnostics.Metrics.InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
}
