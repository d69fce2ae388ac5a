using Hangfire;
using Hangfire.Common;
using Microsoft.Extensions.Options;

namespace DataExchange.Core.Ingestion;

/// <summary>
/// Hangfire's retry filter for <see cref="IngestionJob.ExecuteAsync"/>, built from
/// <see cref="IngestionOptions.RetryDelays"/>: an attribute could only carry compile-time delays.
/// Method scope, so it replaces Hangfire's global default of ten retries for that one job.
/// </summary>
public sealed class IngestionRetryFilterProvider : IJobFilterProvider
{
    readonly JobFilter _filter;

    /// <summary>Builds the filter once from the options.</summary>
    public IngestionRetryFilterProvider(IOptions<IngestionOptions> options)
    {
        int[] seconds = [.. options.Value.RetryDelays.Select(d => (int)Math.Ceiling(d.TotalSeconds))];
        _filter = new JobFilter(new AutomaticRetryAttribute
        {
            Attempts = seconds.Length,
            // Hangfire numbers retries from 1.
            DelayInSecondsByAttemptFunc = attempt => seconds[Math.Min(attempt, seconds.Length) - 1],
            // The run row already says how it ended; a dead job in Hangfire's failed list would add nothing.
            OnAttemptsExceeded = AttemptsExceededAction.Delete,
        }, JobFilterScope.Method, null);
    }

    /// <inheritdoc />
    public IEnumerable<JobFilter> GetFilters(Job job) =>
        job?.Type == typeof(IngestionJob) && job.Method.Name == nameof(IngestionJob.ExecuteAsync) ? [_filter] : [];
}
