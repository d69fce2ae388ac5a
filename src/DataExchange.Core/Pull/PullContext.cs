using DataExchange.Core.Subscriptions;

namespace DataExchange.Core.Pull;

/// <summary>
/// An authorised read: the version it is pinned to, the decision and policy applied, the ETag of
/// that (dataset, version, policy) and the columns a CSV has.
/// </summary>
public sealed record PullContext(string DatasetId, int Version, AccessDecision Decision, PolicyShaper Shaper, IReadOnlyList<string> Columns)
{
    /// <summary>When the read was authorised (a <see cref="System.Diagnostics.Stopwatch"/> timestamp), where a pull's duration starts.</summary>
    public long OpenedAt { get; } = System.Diagnostics.Stopwatch.GetTimestamp();

    /// <summary>The policy applied.</summary>
    public AccessPolicy Policy => Shaper.Policy;

    /// <summary>Strong ETag <c>"&lt;dataset&gt;@&lt;version&gt;+&lt;policy hash&gt;"</c>: versions are immutable.</summary>
    public string ETag => $"\"{DatasetId}@{Version}+{Policy.Hash}\"";
}
