using System.Text.Json.Nodes;
using DataExchange.Core.Audit;
using DataExchange.Core.Common;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace DataExchange.Core.Ingestion;

/// <summary>
/// Gives queued runs to Hangfire jobs: a run just accepted; the oldest waiting run of a dataset when the run before
/// it ends (hand-over); and a queued run whose job never came or is gone (recovery). Each hand-over and recovery
/// first issues the run a new job ticket, so however many jobs a crash left behind, only the newest can start it.
/// </summary>
public sealed partial class RunDispatcher(NpgsqlDataSource dataSource, IRunQueue queue, AuditWriter audit, IOptions<IngestionOptions> options,
    TimeProvider time, ILogger<RunDispatcher> logger)
{
    const string RecordJobSql = "update dx.ingestion_runs set job_id = $2 where id = $1 and job_ticket = $3";

    // The head of the dataset's queue, if it waits: a run that ends calls this once it has let go of the dataset.
    const string HandOverSql = """
        update dx.ingestion_runs set job_ticket = gen_random_uuid(), job_id = null, waiting_since = null
        where id = (select min(id) from dx.ingestion_runs where dataset_id = $1 and status = 'queued')
          and status = 'queued' and waiting_since is not null
        returning id, job_ticket
        """;

    // Heads of dataset queues, queued (or waiting) longer than RecoverAfter, with no run of their dataset running:
    // nothing will hand them over, unless their own job is still alive (which the caller asks Hangfire).
    const string StrandedSql = """
        select r.id, r.dataset_id, r.job_ticket, r.job_id from dx.ingestion_runs r
        where r.status = 'queued' and coalesce(r.waiting_since, r.queued_at) < $1
          and r.id = (select min(q.id) from dx.ingestion_runs q where q.dataset_id = r.dataset_id and q.status = 'queued')
          and not exists (select 1 from dx.ingestion_runs o where o.dataset_id = r.dataset_id and o.status = 'running')
        order by r.id limit 100
        """;

    const string ReissueSql = """
        update dx.ingestion_runs set job_ticket = gen_random_uuid(), job_id = null, waiting_since = null
        where id = $1 and status = 'queued' and job_ticket = $2
        returning job_ticket
        """;

    /// <summary>
    /// Enqueues <paramref name="runId"/>'s job under <paramref name="ticket"/> and records the job's id. When the
    /// job storage refuses, the run stays queued (it is committed, so accepted) and the recovery sweep retries.
    /// </summary>
    public async Task<bool> DispatchAsync(long runId, Guid ticket, CancellationToken cancellationToken) =>
        await DispatchAsync(runId, ticket, null, cancellationToken);

    async Task<bool> DispatchAsync(long runId, Guid ticket, AuditRecord? recovery, CancellationToken cancellationToken)
    {
        string jobId;
        try
        {
            jobId = queue.Enqueue(runId, ticket);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogEnqueueFailed(logger, runId, e);
            return false;
        }
        await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken);
        await using (var cmd = Db.Command(conn, RecordJobSql, runId, jobId, ticket)) await cmd.ExecuteNonQueryAsync(cancellationToken);
        if (recovery is not null)
        {
            recovery.Details!["job"] = jobId;
            await audit.AppendAsync(conn, recovery, cancellationToken);
        }
        await tx.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>
    /// Hands <paramref name="datasetId"/> to the oldest run waiting for it, if the oldest queued run waits. Best effort:
    /// it runs where a run lets go of its dataset, often in a finally after a failure (the database may be down), and
    /// a hand-over that fails is made by the recovery sweep.
    /// </summary>
    public async Task HandOverAsync(string datasetId, CancellationToken cancellationToken)
    {
        try
        {
            long runId;
            Guid ticket;
            await using (var cmd = Db.Command(dataSource, HandOverSql, datasetId))
            await using (var r = await cmd.ExecuteReaderAsync(cancellationToken))
            {
                if (!await r.ReadAsync(cancellationToken)) return;
                (runId, ticket) = (r.GetInt64(0), r.GetGuid(1));
            }
            LogHandedOver(logger, datasetId, runId);
            await DispatchAsync(runId, ticket, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogHandOverFailed(logger, datasetId, e);
        }
    }

    /// <summary>
    /// The recovery sweep: every stranded queued run (see <see cref="IngestionOptions.RecoverAfter"/>) whose job is not
    /// alive gets a new ticket and a new job, audited run-recovered. Returns how many were handed over.
    /// </summary>
    public async Task<int> RecoverAsync(CancellationToken cancellationToken)
    {
        var stranded = new List<(long Id, string DatasetId, Guid Ticket, string? JobId)>();
        await using (var cmd = Db.Command(dataSource, StrandedSql, time.GetUtcNow() - options.Value.RecoverAfter))
        await using (var r = await cmd.ExecuteReaderAsync(cancellationToken))
            while (await r.ReadAsync(cancellationToken)) stranded.Add((r.GetInt64(0), r.GetString(1), r.GetGuid(2), r.Get<string>(3)));
        var recovered = 0;
        foreach (var (id, datasetId, ticket, jobId) in stranded)
        {
            if (jobId is not null && queue.IsAlive(jobId)) continue;
            Guid fresh;
            await using (var cmd = Db.Command(dataSource, ReissueSql, id, ticket))
                if (await cmd.ExecuteScalarAsync(cancellationToken) is Guid g) fresh = g;
                else continue; // a hand-over or another sweep took it
            var details = new JsonObject { ["previousJob"] = jobId, ["reason"] = jobId is null ? "no job was ever recorded" : "its job is no longer alive" };
            var record = new AuditRecord(Caller.System, AuditAction.RunRecovered, AuditOutcome.Succeeded, $"{datasetId}/runs/{id}", datasetId, details);
            if (await DispatchAsync(id, fresh, record, cancellationToken)) recovered++;
        }
        return recovered;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId} is queued but could not be handed to a job; the recovery sweep will retry")]
    static partial void LogEnqueueFailed(ILogger logger, long runId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dataset {DatasetId} could not be handed over to its waiting run; the recovery sweep will")]
    static partial void LogHandOverFailed(ILogger logger, string datasetId, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Dataset {DatasetId} handed over to waiting run {RunId}")]
    static partial void LogHandedOver(ILogger logger, string datasetId, long runId);
}
