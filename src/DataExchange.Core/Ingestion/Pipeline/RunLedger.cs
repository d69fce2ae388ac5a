using System.Text.Json.Nodes;
using DataExchange.Core.Audit;
using DataExchange.Core.Common;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace DataExchange.Core.Ingestion;

/// <summary>
/// A run's lifecycle as its row in <c>dx.ingestion_runs</c> records it: loaded, started, retried, its
/// payload and progress noted, and ended (with its audit entry and metrics) in every way a run ends.
/// </summary>
public sealed partial class RunLedger(NpgsqlDataSource dataSource, AuditWriter audit, TimeProvider time, RunMetrics metrics, ILogger<IngestionRunner> logger)
{
    internal static async Task<RunRow?> LoadRunAsync(NpgsqlConnection conn, long runId, CancellationToken cancellationToken)
    {
        await using var cmd = Db.Command(conn, "select id, dataset_id, status, trigger, schema_version, replay_of, job_ticket from dx.ingestion_runs where id = $1", runId);
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        return await r.ReadAsync(cancellationToken)
            ? new RunRow(r.GetInt64(0), r.GetString(1), RunNames.ParseStatus(r.GetString(2)), RunNames.ParseTrigger(r.GetString(3)), r.GetInt32(4), r.GetNullable<long>(5), r.GetGuid(6))
            : null;
    }

    /// <summary>Marks the run running; false when a hand-over or a recovery gave it to a newer job meanwhile (that job runs it).</summary>
    internal async Task<bool> StartAsync(NpgsqlConnection conn, RunRow run, CancellationToken cancellationToken)
    {
        const string start = """
            update dx.ingestion_runs set status = 'running', started_at = $2, error = null, waiting_since = null, read_count = 0, valid_count = 0,
                rejected_count = 0, duplicate_count = 0, inserted_count = 0, updated_count = 0, deleted_count = 0, unchanged_count = 0, kept_count = 0,
                phase = null, payload_bytes = null, bytes_read = null, progress_at = null
            where id = $1 and job_ticket = $3
            """;
        await using var tx = await conn.BeginTransactionAsync(cancellationToken);
        await using (var cmd = Db.Command(conn, start, run.Id, time.GetUtcNow(), run.Ticket))
            if (await cmd.ExecuteNonQueryAsync(cancellationToken) == 0)
            {
                LogSuperseded(logger, run.Id);
                return false;
            }
        // A run found 'running' was interrupted (crash): its quarantine is redone from scratch.
        await using (var cmd = Db.Command(conn, "delete from dx.rejected_records where run_id = $1", run.Id)) await cmd.ExecuteNonQueryAsync(cancellationToken);
        await audit.AppendAsync(conn, new AuditRecord(Caller.System, AuditAction.RunStarted, AuditOutcome.Succeeded, run.Target, run.DatasetId,
            new JsonObject { ["trigger"] = run.Trigger.Name(), ["previousStatus"] = run.Status.Name() }), cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>Notes on the run why it will be tried again, leaving its status as it is.</summary>
    internal static async Task NoteRetryAsync(NpgsqlConnection conn, RunRow run, string error, CancellationToken cancellationToken)
    {
        await using var note = Db.Command(conn, "update dx.ingestion_runs set error = $2 where id = $1", run.Id, "Retrying after: " + error);
        await note.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Puts the run back in the queue for a retry.</summary>
    internal static async Task MarkRetryAsync(NpgsqlConnection conn, RunRow run, string error, CancellationToken cancellationToken)
    {
        await using var cmd = Db.Command(conn, "update dx.ingestion_runs set status = 'queued', error = $2 where id = $1", run.Id, "Retrying after: " + error);
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    internal static async Task SetPayloadAsync(NpgsqlConnection conn, long runId, Feeds.FetchedPayload payload, CancellationToken cancellationToken)
    {
        await using var cmd = Db.Command(conn, "update dx.ingestion_runs set payload_sha256 = $2, payload_bytes = $3 where id = $1", runId, payload.Sha256, payload.Length);
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Same bytes as the last successful run under the same schema version: nothing can have changed.</summary>
    internal static async Task<bool> IsSamePayloadAsync(NpgsqlConnection conn, RunRow run, string sha256, CancellationToken cancellationToken)
    {
        const string sql = """
            select payload_sha256 = $2 and schema_version = $3 from dx.ingestion_runs
            where dataset_id = $1 and id <> $4 and status in ('succeeded', 'unchanged') and payload_sha256 is not null and trigger <> 'replay'
            order by id desc limit 1
            """;
        await using var cmd = Db.Command(conn, sql, run.DatasetId, sha256, run.SchemaVersion, run.Id);
        return await cmd.ExecuteScalarAsync(cancellationToken) is true;
    }

    const string ProgressSql = """
        update dx.ingestion_runs set phase = $2, read_count = $3, valid_count = $4, rejected_count = $5, bytes_read = coalesce($6, bytes_read), progress_at = $7
        where id = $1 and status = 'running'
        """;

    /// <summary>Writes a running run's counts so far (records read, valid, rejected; bytes read when known) and its phase.</summary>
    internal async Task ReportProgressAsync(long runId, string phase, long read, long valid, long rejected, long? bytesRead, CancellationToken token)
    {
        await using var cmd = Db.Command(dataSource, ProgressSql, runId, phase, read, valid, rejected, Db.Typed(bytesRead), time.GetUtcNow());
        await cmd.ExecuteNonQueryAsync(token);
    }

    /// <summary>Ends the run in <paramref name="status"/> with its audit entry, in a transaction of its own.</summary>
    internal async Task FinishAsync(NpgsqlConnection conn, RunRow run, RunStatus status, string? error, RunCounts? counts, CancellationToken cancellationToken)
    {
        await using var tx = await conn.BeginTransactionAsync(cancellationToken);
        await UpdateRunAsync(conn, run.Id, status, error, counts, null, cancellationToken);
        await AuditFinishedAsync(conn, run, status, error, counts, null, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        LogFinished(logger, run.Id, run.DatasetId, status.Name(), error);
    }

    internal async Task UpdateRunAsync(NpgsqlConnection conn, long runId, RunStatus status, string? error, RunCounts? counts, int? version, CancellationToken cancellationToken)
    {
        const string sql = """
            update dx.ingestion_runs set status = $2, error = $3, finished_at = $4, published_version = $5,
                read_count = $6, valid_count = $7, rejected_count = $8, duplicate_count = $9,
                inserted_count = $10, updated_count = $11, deleted_count = $12, unchanged_count = $13, kept_count = $14
            where id = $1
            """;
        var c = counts ?? new RunCounts(0, 0, 0, 0, 0, 0, 0, 0, 0);
        await using var cmd = Db.Command(conn, sql, runId, status.Name(), Db.Typed(error), time.GetUtcNow(), Db.Typed(version),
            c.Read, c.Valid, c.Rejected, c.Duplicate, c.Inserted, c.Updated, c.Deleted, c.Unchanged, c.Kept);
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    internal Task AuditFinishedAsync(NpgsqlConnection conn, RunRow run, RunStatus status, string? error, RunCounts? counts, int? version, CancellationToken cancellationToken,
        Caller? actor = null)
    {
        var details = new JsonObject { ["status"] = status.Name(), ["trigger"] = run.Trigger.Name(), ["schemaVersion"] = run.SchemaVersion };
        if (error is not null) details["error"] = error;
        if (version is not null) details["publishedVersion"] = version;
        if (counts is not null) details["counts"] = System.Text.Json.JsonSerializer.SerializeToNode(counts, Json.Options);
        metrics.Ended(run.DatasetId, run.Trigger, status, counts);
        var outcome = status switch { RunStatus.Failed => AuditOutcome.Failed, RunStatus.Skipped => AuditOutcome.Skipped, _ => AuditOutcome.Succeeded };
        var action = status switch { RunStatus.Skipped => AuditAction.RunSkipped, RunStatus.Held => AuditAction.RunHeld, _ => AuditAction.RunFinished };
        return audit.AppendAsync(conn, new AuditRecord(actor ?? Caller.System, action, outcome, run.Target, run.DatasetId, details), cancellationToken);
    }

    /// <summary>Logs how a run ended.</summary>
    internal void Finished(long runId, string datasetId, RunStatus status, string? detail) => LogFinished(logger, runId, datasetId, status.Name(), detail);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} of {DatasetId} ended {Status}. {Error}")]
    static partial void LogFinished(ILogger logger, long runId, string datasetId, string status, string? error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} was handed to a newer job; this one does nothing")]
    internal static partial void LogSuperseded(ILogger logger, long runId);
}
