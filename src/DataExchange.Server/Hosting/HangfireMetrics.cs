using System.Diagnostics.Metrics;
using DataExchange.Core.Common;
using Hangfire;

namespace DataExchange.Server.Hosting;

/// <summary>
/// Hangfire's own counts as gauges, read from its monitoring API when metrics are collected:
/// <c>dx.hangfire.queue.length</c> (jobs waiting in each queue) and <c>dx.hangfire.jobs</c> by <c>state</c>
/// (scheduled: retries and delayed webhook deliveries; processing; failed).
/// </summary>
public sealed partial class HangfireMetrics
{
    /// <summary>The queues the exchange's workers take jobs from.</summary>
    public static readonly string[] Queues = ["default"];

    /// <summary>Creates the gauges on the exchange's meter.</summary>
    public HangfireMetrics(IMeterFactory meters, JobStorage storage, ILogger<HangfireMetrics> logger)
    {
        var meter = meters.Create(Telemetry.Name);
        meter.CreateObservableGauge("dx.hangfire.queue.length", () => Read(logger, () =>
        {
            var monitoring = storage.GetMonitoringApi();
            return Queues.Select(q => new Measurement<long>(monitoring.EnqueuedCount(q), new KeyValuePair<string, object?>("queue", q)));
        }), "{job}", "Jobs waiting in a Hangfire queue (ingestion runs, webhook deliveries, recurring triggers).");
        meter.CreateObservableGauge("dx.hangfire.jobs", () => Read(logger, () =>
        {
            var s = storage.GetMonitoringApi().GetStatistics();
            return [State("scheduled", s.Scheduled), State("processing", s.Processing), State("failed", s.Failed)];
        }), "{job}", "Hangfire jobs by state: scheduled (retries, delayed deliveries), processing, failed.");
    }

    static Measurement<long> State(string state, long count) => new(count, new KeyValuePair<string, object?>("state", state));

    /// <summary>A scrape while the database is down reports nothing rather than failing the whole scrape.</summary>
    static IEnumerable<Measurement<long>> Read(ILogger logger, Func<IEnumerable<Measurement<long>>> read)
    {
        try
        {
            return read().ToList();
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException or InvalidOperationException)
        {
            LogUnreadable(logger, e.Message);
            return [];
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Hangfire's counts could not be read for metrics: {Error}")]
    static partial void LogUnreadable(ILogger logger, string error);
}
