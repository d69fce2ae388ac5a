namespace DataExchange.Core.Pull;

/// <summary>
/// Rows one pull has reserved against its subscription's usage of the day (issue 13, item 4), under
/// the policy's daily quota when it sets one.
/// </summary>
public sealed class RowBudget(string subscriptionId, long? quota, DateOnly day, bool countedWhenAudited = false)
{
    public string SubscriptionId { get; } = subscriptionId;

    /// <summary>The daily row quota; null when the policy sets none (rows are still counted).</summary>
    public long? Quota { get; } = quota;

    /// <summary>The UTC day charged: rows given back go to the day they were taken from, also across midnight.</summary>
    public DateOnly Day { get; } = day;

    /// <summary>
    /// A JSON page without a quota (issue 14): nothing is reserved, the rows served are counted in the
    /// group commit that audits the page (<see cref="RowCharge"/>, in the group's own statements), before
    /// the page leaves — no round trip of its own.
    /// </summary>
    public bool CountedWhenAudited { get; } = countedWhenAudited && quota is null;

    /// <summary>Rows reserved so far.</summary>
    public long Reserved { get; internal set; }
}
