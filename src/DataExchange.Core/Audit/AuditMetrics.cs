using System.Diagnostics.Metrics;
using DataExchange.Core.Common;

namespace DataExchange.Core.Audit;

/// <summary>Audit appends as a metric, <c>dx.audit.appends</c>, tagged by <c>action</c> and <c>outcome</c>.</summary>
public sealed class AuditMetrics
{
    readonly Counter<long> _appends;

    /// <summary>Creates the instrument on the exchange's meter.</summary>
    public AuditMetrics(IMeterFactory meters) =>
        _appends = meters.Create(Telemetry.Name).CreateCounter<long>("dx.audit.appends", "{entry}",
            "Entries appended to the audit chain (an entry whose transaction was rolled back is counted too).");

    /// <summary>Counts one appended entry.</summary>
    public void Appended(string action, string outcome) => _appends.Add(1, new("action", action), new("outcome", outcome));
}
