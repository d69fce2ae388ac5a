using System.Text.Json.Nodes;
using DataExchange.Core.Audit;
using DataExchange.Core.Common;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace DataExchange.Core.Ingestion;

/// <summary>
/// A run that cannot start yet: its dataset is busy, or an earlier queued run comes first. A scheduled
/// trigger is skipped; any other run waits, recorded and audited once, to be handed over when its turn comes.
/// </summary>
public sealed partial class RunWaiting(RunLedger ledger, AuditWriter audit, RunDispatcher dispatcher, TimeProvider time, ILogger<IngestionRunner> logger)
{
    const string EarlierQueuedSql = "select exists (select 1 from dx.ingestion_runs where dataset_id = $1 and status = 'queued' and id < $2)";

    // Only the job holding the ticket marks its run waiting, and only once (one run-deferred per wait).
    const string DeferSql = """
        update dx.ingestion_runs set waiting_since = $2
        where id = $1 and job_ticket = $3 and status = 'queued' and waiting_since is null
        """;

    // What the run waits for: the dataset's running run, else the head of its queue.
    const string WaitsForSql = """
        select id from dx.ingestion_runs where dataset_id = $1 and id <> $2 and status in ('running', 'queued')
        order by status = 'running' desc, id limit 1
        """;

    /// <summary>
    /// The dataset is busy (another run holds its lock). A scheduled trigger is skipped: the next tick fetches the
    /// source anyway. Any other run (upload, run now, replay) was accepted, so it waits to be handed over. Then the
    /// lock is tried once more: if its holder ended between the first try and the wait being recorded, its hand-over
    /// may have missed this run, so this job hands over itself.
    /// </summary>
    internal async Task WaitAsync(NpgsqlConnection conn, RunRow run, CancellationToken cancellationToken)
    {
        if (run.Trigger == RunTrigger.Schedule)
        {
            await ledger.FinishAsync(conn, run, RunStatus.Skipped, "Another run of this feed was in progress; this trigger was skipped.", null, cancellationToken);
            return;
        }
        await DeferAsync(conn, run, cancellationToken);
        if (!await DatasetLock.TryLockAsync(conn, run.DatasetId, cancellationToken)) return;
        await DatasetLock.ReleaseAsync(conn, run.DatasetId);
        await dispatcher.HandOverAsync(run.DatasetId, cancellationToken);
    }

    /// <summary>The dataset is free, but an earlier queued run comes first; scheduled triggers are skipped as in <see cref="WaitAsync"/>.</summary>
    internal async Task WaitBehindAsync(NpgsqlConnection conn, RunRow run, CancellationToken cancellationToken)
    {
        if (run.Trigger == RunTrigger.Schedule)
            await ledger.FinishAsync(conn, run, RunStatus.Skipped, "Earlier runs of this feed were waiting; this trigger was skipped.", null, cancellationToken);
        else
            await DeferAsync(conn, run, cancellationToken);
    }

    internal static async Task<bool> HasEarlierQueuedAsync(NpgsqlConnection conn, RunRow run, CancellationToken cancellationToken)
    {
        await using var cmd = Db.Command(conn, EarlierQueuedSql, run.DatasetId, run.Id);
        return await cmd.ExecuteScalarAsync(cancellationToken) is true;
    }

    async Task DeferAsync(NpgsqlConnection conn, RunRow run, CancellationToken cancellationToken)
    {
        await using var tx = await conn.BeginTransactionAsync(cancellationToken);
        await using (var cmd = Db.Command(conn, DeferSql, run.Id, time.GetUtcNow(), run.Ticket))
            if (await cmd.ExecuteNonQueryAsync(cancellationToken) == 0) return;
        var details = new JsonObject { ["trigger"] = run.Trigger.Name() };
        await using (var cmd = Db.Command(conn, WaitsForSql, run.DatasetId, run.Id))
            if (await cmd.ExecuteScalarAsync(cancellationToken) is long other) details["waitsFor"] = other.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await audit.AppendAsync(conn, new AuditRecord(Caller.System, AuditAction.RunDeferred, AuditOutcome.Succeeded, run.Target, run.DatasetId, details), cancellationToken);
        await tx.CommitAsync(cancellationToken);
        LogDeferred(logger, run.Id, run.DatasetId);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} waits for the run before it in {DatasetId}")]
    static partial void LogDeferred(ILogger logger, long runId, string datasetId);
}
