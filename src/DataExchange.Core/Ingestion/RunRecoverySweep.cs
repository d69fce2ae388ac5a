using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DataExchange.Core.Ingestion;

/// <summary>
/// Every <see cref="IngestionOptions.RecoverInterval"/>, hands queued runs that no job will execute to a new one
/// (<see cref="RunDispatcher.RecoverAsync"/>): a process that died between committing a run and enqueuing its job,
/// a job storage that refused the enqueue, a hand-over lost with its worker. Safe on every process at once: each
/// recovery claims the run by replacing its ticket.
/// </summary>
public sealed partial class RunRecoverySweep(RunDispatcher dispatcher, IOptions<IngestionOptions> options, ILogger<RunRecoverySweep> logger) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await dispatcher.RecoverAsync(stoppingToken) is > 0 and var n) LogRecovered(logger, n);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The database or the job storage may be down or starting; the next tick retries.
                LogSweepFailed(logger, e);
            }
            // Wall-clock waits (not the injected clock): tests replace the clock but still need recoveries.
            try { await Task.Delay(options.Value.RecoverInterval, stoppingToken); } catch (OperationCanceledException) { return; }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Handed {Count} stranded queued runs to new jobs")]
    static partial void LogRecovered(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The run recovery sweep failed; retrying")]
    static partial void LogSweepFailed(ILogger logger, Exception exception);
}
