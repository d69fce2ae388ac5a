using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DataExchange.Core.Audit;

/// <summary>
/// Polls the head of the log every <see cref="AuditOptions.CheckpointPollInterval"/> and signs a
/// checkpoint when one is due. Runs on worker nodes; several may run, an advisory lock picks one.
/// </summary>
public sealed partial class AuditCheckpointWorker(AuditCheckpoints checkpoints, IOptions<AuditOptions> options, TimeProvider time,
    ILogger<AuditCheckpointWorker> logger) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await checkpoints.CheckpointIfDueAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // A background loop logs and carries on; the next tick retries.
            catch (Exception e)
#pragma warning restore CA1031
            {
                LogFailed(logger, e);
            }
            try
            {
                await Task.Delay(options.Value.CheckpointPollInterval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Audit checkpoint failed; retrying at the next poll")]
    static partial void LogFailed(ILogger logger, Exception exception);
}
