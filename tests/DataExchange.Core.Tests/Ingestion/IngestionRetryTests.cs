using DataExchange.Core.Hosting;
using DataExchange.Core.Ingestion;
using Hangfire;
using Hangfire.Common;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NUnit.Framework;

namespace DataExchange.Core.Tests.Ingestion;

/// <summary>Issue 8: ingestion retries keep the production delays and can be shortened by configuration.</summary>
public sealed class IngestionRetryTests
{
    static IngestionOptions Bind(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        using var provider = new ServiceCollection().AddIngestion(configuration).BuildServiceProvider();
        return provider.GetRequiredService<IOptions<IngestionOptions>>().Value;
    }

    static AutomaticRetryAttribute RetryOf(IngestionOptions options, Job job) =>
        (AutomaticRetryAttribute)new IngestionRetryFilterProvider(Options.Create(options)).GetFilters(job).Single().Instance;

    static readonly Job Execute = Job.FromExpression<IngestionJob>(j => j.ExecuteAsync(1, Guid.Empty, null, CancellationToken.None));

    [Test]
    public void Defaults_RetryThreeTimes_After10Seconds1MinuteAnd5Minutes()
    {
        var retry = RetryOf(Bind([]), Execute);
        Assert.That(retry.Attempts, Is.EqualTo(3));
        Assert.That(Enumerable.Range(1, 3).Select(a => retry.DelayInSecondsByAttemptFunc(a)), Is.EqualTo(new[] { 10, 60, 300 }));
        Assert.That(retry.OnAttemptsExceeded, Is.EqualTo(AttemptsExceededAction.Delete));
    }

    [Test]
    public void ConfiguredDelays_ReplaceTheDefaults_RatherThanAddingToThem()
    {
        var options = Bind(new() { ["Ingestion:RetryDelays:0"] = "00:00:01", ["Ingestion:RetryDelays:1"] = "00:00:02" });
        Assert.That(options.RetryDelays, Is.EqualTo(new[] { TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2) }));
        var retry = RetryOf(options, Execute);
        Assert.That(retry.Attempts, Is.EqualTo(2));
        Assert.That(new[] { retry.DelayInSecondsByAttemptFunc(1), retry.DelayInSecondsByAttemptFunc(2) }, Is.EqualTo(new[] { 1, 2 }));
    }

    [Test]
    public void OtherJobs_GetNoIngestionRetryFilter()
    {
        var scheduled = Job.FromExpression<IngestionJob>(j => j.RunScheduledAsync("x", CancellationToken.None));
        Assert.That(new IngestionRetryFilterProvider(Options.Create(new IngestionOptions())).GetFilters(scheduled), Is.Empty);
    }
}
