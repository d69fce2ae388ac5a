namespace DataExchange.Core.Subscriptions.Notifications;

/// <summary>
/// Webhook delivery retries (section <c>Webhooks</c>). With the defaults a failing endpoint is tried
/// 9 times: retries after 10 s, 30 s, 1.5 min, 4.5 min, 13.5 min, 40.5 min, ~2 h and 4 h (~7 h in all).
/// </summary>
public sealed class WebhookOptions
{
    /// <summary>Attempts per delivery, the first included. Default 9.</summary>
    public int MaxAttempts { get; set; } = 9;

    /// <summary>Wait before the first retry. Default 10 s.</summary>
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Each retry waits this many times longer than the one before. Default 3.</summary>
    public double BackoffFactor { get; set; } = 3;

    /// <summary>The longest wait between two attempts. Default 4 h.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromHours(4);

    /// <summary>The wait after failed attempt number <paramref name="attempt"/> (1-based).</summary>
    public TimeSpan DelayAfter(int attempt)
    {
        var seconds = FirstRetryDelay.TotalSeconds * Math.Pow(BackoffFactor, attempt - 1);
        return seconds >= MaxRetryDelay.TotalSeconds ? MaxRetryDelay : TimeSpan.FromSeconds(seconds);
    }
}
