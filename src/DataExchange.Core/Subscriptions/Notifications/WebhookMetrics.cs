using System.Diagnostics.Metrics;
using DataExchange.Core.Common;

namespace DataExchange.Core.Subscriptions.Notifications;

/// <summary>
/// Webhook deliveries as metrics: <c>dx.webhook.attempts</c> by the <c>state</c> the delivery is left in
/// (delivered, pending: to be retried, failed, cancelled) and <c>dx.webhook.duration</c>, the time of each POST.
/// </summary>
public sealed class WebhookMetrics
{
    readonly Counter<long> _attempts;
    readonly Histogram<double> _duration;

    /// <summary>Creates the instruments on the exchange's meter.</summary>
    public WebhookMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(Telemetry.Name);
        _attempts = meter.CreateCounter<long>("dx.webhook.attempts", "{attempt}", "Webhook delivery attempts, by the state they left the delivery in.");
        _duration = meter.SecondsHistogram("dx.webhook.duration", "Time of a webhook POST until its answer, error or timeout.");
    }

    /// <summary>Counts an attempt that left its delivery in <paramref name="state"/>.</summary>
    public void Attempted(string state) => _attempts.Add(1, new KeyValuePair<string, object?>("state", state));

    /// <summary>Records the time of one POST.</summary>
    public void Posted(TimeSpan elapsed) => _duration.Record(elapsed.TotalSeconds);
}
