using DataExchange.Core.Subscriptions;

namespace DataExchange.Server.Console.Subscriptions;

/// <summary>
/// The console's text of a subscription status: the status itself, except that <c>rejected</c> reads "request rejected"
/// (已驳回). The runs' "Rejected" column counts rejected rows (拒收), another word in Chinese, and the resource build keeps
/// only one of two names that differ only in case (MSB3568).
/// </summary>
public static class StatusText
{
    /// <summary>The localizer key of <paramref name="status"/>.</summary>
    public static string Of(string status) => status == SubscriptionStatus.Rejected ? "request rejected" : status;
}
