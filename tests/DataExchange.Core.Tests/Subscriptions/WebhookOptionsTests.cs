using DataExchange.Core.Subscriptions.Notifications;
using NUnit.Framework;

namespace DataExchange.Core.Tests.Subscriptions;

/// <summary>Issue 5: the production backoff of webhook retries (the integration test shortens it through settings).</summary>
public sealed class WebhookOptionsTests
{
    [Test]
    public void DefaultBackoff_TriesEightTimesMoreOverAboutSevenHours_AtMostFourHoursApart()
    {
        var options = new WebhookOptions();
        var delays = Enumerable.Range(1, options.MaxAttempts - 1).Select(a => options.DelayAfter(a).TotalSeconds).ToArray();
        Assert.That(delays, Is.EqualTo(new double[] { 10, 30, 90, 270, 810, 2430, 7290, 14400 }).Within(1e-6));
        Assert.That(TimeSpan.FromSeconds(delays.Sum()).TotalHours, Is.EqualTo(7.0).Within(0.1));
    }

    [Test]
    public void ShortenedBackoff_GrowsByTheFactorUntilTheCap()
    {
        var options = new WebhookOptions { FirstRetryDelay = TimeSpan.FromMilliseconds(100), BackoffFactor = 2, MaxRetryDelay = TimeSpan.FromMilliseconds(300) };
        Assert.That(Enumerable.Range(1, 4).Select(a => options.DelayAfter(a).TotalMilliseconds), Is.EqualTo(new double[] { 100, 200, 300, 300 }).Within(1e-6));
    }
}
