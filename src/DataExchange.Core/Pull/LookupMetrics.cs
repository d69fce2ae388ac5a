using System.Diagnostics;
using System.Diagnostics.Metrics;
using DataExchange.Core.Common;

namespace DataExchange.Core.Pull;

/// <summary>
/// Once-only lookups (one key or a batch of keys answered from the current-row index) as metrics, ready for
/// the lookup API: <c>dx.lookups</c> (requests), <c>dx.lookup.keys</c> (keys asked), <c>dx.lookup.hits</c>
/// (keys answered with a record) and <c>dx.lookup.duration</c>, tagged by <c>dataset</c> and <c>outcome</c>
/// (allowed, denied). The lookup endpoint calls <see cref="Looked"/> once per request, after its audit entry.
/// </summary>
public sealed class LookupMetrics
{
    readonly Counter<long> _lookups, _keys, _hits;
    readonly Histogram<double> _duration;

    /// <summary>Creates the instruments on the exchange's meter.</summary>
    public LookupMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(Telemetry.Name);
        _lookups = meter.CreateCounter<long>("dx.lookups", "{request}", "Lookup requests (one key or a batch).");
        _keys = meter.CreateCounter<long>("dx.lookup.keys", "{key}", "Keys asked for by lookups.");
        _hits = meter.CreateCounter<long>("dx.lookup.hits", "{key}", "Keys a lookup answered with a record.");
        _duration = meter.SecondsHistogram("dx.lookup.duration", "Time from a lookup's start (a Stopwatch timestamp) to its audited answer.");
    }

    /// <summary>Records one lookup request of <paramref name="keys"/> keys, <paramref name="hits"/> found, begun at the Stopwatch timestamp <paramref name="started"/>.</summary>
    public void Looked(string datasetId, string outcome, int keys, int hits, long started)
    {
        var tags = new TagList { { "dataset", datasetId }, { "outcome", outcome } };
        _lookups.Add(1, tags);
        _keys.Add(keys, tags);
        _hits.Add(hits, tags);
        _duration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tags);
    }
}
