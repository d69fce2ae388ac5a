using System.Text.Json.Nodes;
using DataExchange.Core.Audit;
using DataExchange.Core.Common;
using DataExchange.Core.Datasets;
using DataExchange.Core.Feeds;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace DataExchange.Core.Ingestion;

/// <summary>
/// Executes one ingestion run: fetch → parse → validate (parallel) → stage (binary COPY) →
/// de-duplicate → merge → publish, the publish in one transaction. A run is re-entrant: executed
/// again after a crash it starts over; executed again after it finished it does nothing. The runs of a
/// dataset go one at a time, oldest first: a run that finds its dataset busy waits, and the run that
/// ends hands the dataset over to the oldest waiting one.
/// </summary>
public sealed partial class IngestionRunner(
    NpgsqlDataSource dataSource,
    DatasetRegistry registry,
    FeedSources sources,
    UploadStore uploads,
    AuditWriter audit,
    RunDispatcher dispatcher,
    IOptions<IngestionOptions> options,
    TimeProvider time,
    RunMetrics metrics,
    ILogger<IngestionRunner> logger)
{
    /// <summary>
    /// Runs <paramref name="runId"/> if <paramref name="ticket"/> is still its job ticket (else a newer job has it);
    /// <paramref name="finalAttempt"/> says whether a retryable failure is final.
    /// </summary>
    public async Task ExecuteAsync(long runId, Guid ticket, bool finalAttempt, CancellationToken cancellationToken)
    {
        using var scope = RunScope(logger, runId);
        System.Diagnostics.Activity.Current?.SetTag("dx.run.id", runId);
        await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
        var run = await LoadRunAsync(conn, runId, cancellationToken);
        if (run is null || RunStatus.IsFinal(run.Status)) return;
        if (run.Ticket != ticket)
        {
            LogSuperseded(logger, run.Id);
            return;
        }

        // Session lock per dataset: one run at a time, released by PostgreSQL if this process dies.
        if (!await TryLockAsync(conn, run.DatasetId, cancellationToken))
        {
            if (run.Status != RunStatus.Running)
            {
                await WaitAsync(conn, run, cancellationToken);
                return;
            }
            // This run was interrupted: its worker died, but PostgreSQL ends the dead worker's session (and
            // with it the lock) only at its next exchange with the client, after the statement it was
            // running or waiting on. Skipping would leave the run undone; come back after a retry delay.
            const string busy = "An interrupted attempt of this run still holds the dataset's lock in PostgreSQL (its worker died mid-statement).";
            if (finalAttempt)
            {
                await FinishAsync(conn, run, RunStatus.Failed, FailedAfterRetries(busy), null, cancellationToken);
                return;
            }
            LogRetry(logger, run.Id, busy);
            await using (var note = Db.Command(conn, "update dx.ingestion_runs set error = $2 where id = $1", run.Id, "Retrying after: " + busy))
                await note.ExecuteNonQueryAsync(cancellationToken);
            throw new DatasetBusyException(busy);
        }
        try
        {
            // Oldest first: a queued run behind another queued one waits for it (finally hands over to the head).
            if (run.Status == RunStatus.Queued && await HasEarlierQueuedAsync(conn, run, cancellationToken))
                await WaitBehindAsync(conn, run, cancellationToken);
            else if (await StartAsync(conn, run, cancellationToken))
                await ProcessAsync(conn, run, cancellationToken);
        }
        catch (Exception e) when (IsPayloadProblem(Cause(e)) && !MayBeWholeNextTime(run, Cause(e)))
        {
            // The payload or the feed definition is wrong: retrying the same bytes cannot help.
            if (Cause(e) is FeedFetchException { Refusal: { } reason })
                await audit.AppendAsync(new AuditRecord(Caller.System, AuditAction.FeedSourceRefused, AuditOutcome.Denied, RunTarget(run), run.DatasetId,
                    new JsonObject { ["code"] = DropFolder.Refused, ["reason"] = reason, ["at"] = "fetch" }), CancellationToken.None);
            await FinishAsync(conn, run, RunStatus.Failed, Cause(e).Message, null, CancellationToken.None);
        }
        catch (Exception e) when (!finalAttempt && e is not OperationCanceledException)
        {
            // Transient (source down, database hiccup): back to queued, and Hangfire retries with backoff.
            LogRetry(logger, run.Id, e.Message);
            await MarkRetryAsync(conn, run, e.Message, CancellationToken.None);
            throw;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await FinishAsync(conn, run, RunStatus.Failed, FailedAfterRetries(e.Message), null, CancellationToken.None);
        }
        finally
        {
            await ReleaseAsync(conn, run.DatasetId);
            await dispatcher.HandOverAsync(run.DatasetId, CancellationToken.None);
        }
    }

    string FailedAfterRetries(string cause) => $"Failed after {options.Value.RetryDelays.Length + 1} attempts: {cause}";

    async Task ProcessAsync(NpgsqlConnection conn, RunRow run, CancellationToken cancellationToken)
    {
        var dataset = await registry.FindAsync(run.DatasetId, cancellationToken) ?? throw new NotFoundException(run.DatasetId);
        var feed = await registry.GetFeedAsync(run.DatasetId, cancellationToken);
        var schema = await registry.GetSchemaAsync(run.DatasetId, run.SchemaVersion, cancellationToken);
        var (etag, lastModified) = await GetValidatorsAsync(conn, run.DatasetId, cancellationToken);

        if (run.ReplayOf is { } original) feed = await ReplayFeedAsync(conn, original, feed, cancellationToken);
        var fetching = System.Diagnostics.Stopwatch.GetTimestamp();
        using var payload = run.Trigger switch
        {
            RunTrigger.Upload => await uploads.SpoolAsync(run.Id, cancellationToken),
            RunTrigger.Replay => await SpoolQuarantineAsync(conn, run.ReplayOf!.Value, feed, cancellationToken),
            _ => await sources.FetchAsync(run.DatasetId, dataset.Owner, feed, etag, lastModified, cancellationToken),
        };
        IngestionMetrics.Record(run.DatasetId, "fetch", System.Diagnostics.Stopwatch.GetElapsedTime(fetching));
        if (payload.NotModified)
        {
            await FinishAsync(conn, run, RunStatus.Unchanged, "The source answered 304 Not Modified.", null, cancellationToken);
            return;
        }
        await SetPayloadAsync(conn, run.Id, payload, cancellationToken);
        if (run.ReplayOf is null && await IsSamePayloadAsync(conn, run, payload.Sha256!, cancellationToken))
        {
            await FinishAsync(conn, run, RunStatus.Unchanged, null, null, cancellationToken);
            await SaveValidatorsAsync(conn, run.Id, payload, cancellationToken);
            return;
        }
        if (run.ReplayOf is null && await HeldWithSamePayloadAsync(conn, run, payload.Sha256!, cancellationToken) is { } held)
        {
            // 'skipped', not 'unchanged': IsSamePayloadAsync takes an unchanged run's bytes as published,
            // so after a discard the same bytes would never be read again. The source's validators are not
            // saved for the same reason (a 304 would end every later tick 'unchanged').
            await FinishAsync(conn, run, RunStatus.Skipped,
                $"The same payload is held in run {held}, waiting for a steward to release or discard it; nothing was staged.", null, cancellationToken);
            return;
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var stage = await StageAsync(conn, run, payload.Path!, feed, schema, dataset.KeyFields, cancellationToken);
        var counts = stage.Counts;
        var staged = clock.Elapsed;
        IngestionMetrics.Record(run.DatasetId, "stage", staged);
        await ReportProgressAsync(run.Id, "publishing", counts.Read, counts.Valid, counts.Rejected, payload.Length, cancellationToken);
        var reread = new Payload(payload.Path!, feed, schema, dataset.KeyFields);
        counts = await DeduplicateAsync(conn, run, reread, stage, cancellationToken);
        var deduplicated = clock.Elapsed;
        IngestionMetrics.Record(run.DatasetId, "dedupe", deduplicated - staged);
        var firstLoad = await IsFirstLoadAsync(conn, run, stage, cancellationToken);
        counts = firstLoad ? await FirstLoadAsync(conn, counts, cancellationToken) : await DiffAsync(conn, run, reread, counts, cancellationToken);
        IngestionMetrics.Record(run.DatasetId, "diff", clock.Elapsed - deduplicated);
        LogStaged(logger, run.Id, counts.Read, staged.TotalMilliseconds, (clock.Elapsed - staged).TotalMilliseconds);
        if (counts.Read == 0)
        {
            await FinishAsync(conn, run, RunStatus.Failed, "The payload has no records; an empty snapshot would delete every record, so nothing was published.", counts, cancellationToken);
            return;
        }
        var share = (double)counts.Rejected / counts.Read;
        if (share > feed.RejectThreshold)
        {
            await FinishAsync(conn, run, RunStatus.Failed,
                $"{counts.Rejected} of {counts.Read} records ({share:P1}) were rejected, above the feed's threshold of {feed.RejectThreshold:P0}; nothing was published.", counts, cancellationToken);
            return;
        }
        await MergeAndPublishAsync(conn, run, feed, counts, firstLoad, cancellationToken);
        await SaveValidatorsAsync(conn, run.Id, payload, cancellationToken);
    }

    static bool IsPayloadProblem(Exception e) =>
        e is FeedFetchException { Retryable: false } or InvalidDataException or TruncatedPayloadException or InvalidException
            or System.Text.Json.JsonException or System.Text.DecoderFallbackException or FormatException or OverflowException
        // CsvHelper reports malformed input (a record past MaxRecordSize, bad quoting) with its own exception types.
        || e.GetType().Namespace?.StartsWith("CsvHelper", StringComparison.Ordinal) == true;

    /// <summary>
    /// A fetched payload cut short may be whole on the next fetch (the source was still writing it, or
    /// a proxy cut the transfer); an upload or a replay reads the same stored bytes every time.
    /// </summary>
    static bool MayBeWholeNextTime(RunRow run, Exception e) => e is TruncatedPayloadException && run.Trigger is not (RunTrigger.Upload or RunTrigger.Replay);

    /// <summary>The exception that caused a pipeline failure, out of the task and channel wrappers around it.</summary>
    static Exception Cause(Exception e)
    {
        while (e is AggregateException { InnerExceptions.Count: > 0 } or System.Threading.Channels.ChannelClosedException { InnerException: not null })
            e = e is AggregateException a ? a.InnerExceptions[0] : e.InnerException!;
        return e;
    }

    internal sealed record RunRow(long Id, string DatasetId, string Status, string Trigger, int SchemaVersion, long? ReplayOf, Guid Ticket);

    static async Task<RunRow?> LoadRunAsync(NpgsqlConnection conn, long runId, CancellationToken cancellationToken)
    {
        await using var cmd = Db.Command(conn, "select id, dataset_id, status, trigger, schema_version, replay_of, job_ticket from dx.ingestion_runs where id = $1", runId);
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        return await r.ReadAsync(cancellationToken)
            ? new RunRow(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt32(4), r.GetNullable<long>(5), r.GetGuid(6))
            : null;
    }

    static long LockKey(string datasetId) => BitConverter.ToInt64(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes("ingest:" + datasetId)));

    static async Task<bool> TryLockAsync(NpgsqlConnection conn, string datasetId, CancellationToken cancellationToken)
    {
        await using var cmd = Db.Command(conn, "select pg_try_advisory_lock($1)", LockKey(datasetId));
        return (bool)(await cmd.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>Gives back what the run took on its connection: the dataset lock and the planner setting.</summary>
    static async Task ReleaseAsync(NpgsqlConnection conn, string datasetId)
    {
        if (conn.State != System.Data.ConnectionState.Open) return;
        await using var cmd = Db.Command(conn, "select pg_advisory_unlock($1)", LockKey(datasetId));
        await cmd.ExecuteScalarAsync();
        // The connection goes back to the pool: undo the run's session settings (see CreateStageSql and StageAsync).
        await using var reset = Db.Command(conn, "reset enable_nestloop; reset work_mem");
        await reset.ExecuteNonQueryAsync();
    }

    /// <summary>Marks the run running; false when a hand-over or a recovery gave it to a newer job meanwhile (that job runs it).</summary>
    async Task<bool> StartAsync(NpgsqlConnection conn, RunRow run, CancellationToken cancellationToken)
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
        await audit.AppendAsync(conn, new AuditRecord(Caller.System, AuditAction.RunStarted, AuditOutcome.Succeeded, RunTarget(run), run.DatasetId,
            new JsonObject { ["trigger"] = run.Trigger, ["previousStatus"] = run.Status }), cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return true;
    }

    async Task MarkRetryAsync(NpgsqlConnection conn, RunRow run, string error, CancellationToken cancellationToken)
    {
        await using var cmd = Db.Command(conn, "update dx.ingestion_runs set status = 'queued', error = $2 where id = $1", run.Id, "Retrying after: " + error);
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    static async Task<(string?, string?)> GetValidatorsAsync(NpgsqlConnection conn, string datasetId, CancellationToken cancellationToken)
    {
        await using var cmd = Db.Command(conn, "select etag, last_modified from dx.feeds where dataset_id = $1", datasetId);
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        return await r.ReadAsync(cancellationToken) ? (r.Get<string>(0), r.Get<string>(1)) : (null, null);
    }

    static async Task SetPayloadAsync(NpgsqlConnection conn, long runId, FetchedPayload payload, CancellationToken cancellationToken)
    {
        await using var cmd = Db.Command(conn, "update dx.ingestion_runs set payload_sha256 = $2, payload_bytes = $3 where id = $1", runId, payload.Sha256, payload.Length);
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Remembers the source's ETag/Last-Modified, only once its payload was taken: saved earlier, a
    /// payload that failed (cut short, too many rejects) would answer 304 to the next attempt, and the
    /// run would end 'unchanged' with the fixed payload never read.
    /// </summary>
    static async Task SaveValidatorsAsync(NpgsqlConnection conn, long runId, FetchedPayload payload, CancellationToken cancellationToken)
    {
        if (payload.ETag is null && payload.LastModified is null) return;
        await using var feed = Db.Command(conn, "update dx.feeds set etag = $2, last_modified = $3 where dataset_id = (select dataset_id from dx.ingestion_runs where id = $1)",
            runId, payload.ETag, payload.LastModified);
        feed.Parameters[1].NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text;
        feed.Parameters[2].NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text;
        await feed.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Same bytes as the last successful run under the same schema version: nothing can have changed.</summary>
    static async Task<bool> IsSamePayloadAsync(NpgsqlConnection conn, RunRow run, string sha256, CancellationToken cancellationToken)
    {
        const string sql = """
            select payload_sha256 = $2 and schema_version = $3 from dx.ingestion_runs
            where dataset_id = $1 and id <> $4 and status in ('succeeded', 'unchanged') and payload_sha256 is not null and trigger <> 'replay'
            order by id desc limit 1
            """;
        await using var cmd = Db.Command(conn, sql, run.DatasetId, sha256, run.SchemaVersion, run.Id);
        return await cmd.ExecuteScalarAsync(cancellationToken) is true;
    }

    async Task FinishAsync(NpgsqlConnection conn, RunRow run, string status, string? error, RunCounts? counts, CancellationToken cancellationToken)
    {
        await using var tx = await conn.BeginTransactionAsync(cancellationToken);
        await UpdateRunAsync(conn, run.Id, status, error, counts, null, cancellationToken);
        await AuditFinishedAsync(conn, run, status, error, counts, null, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        LogFinished(logger, run.Id, run.DatasetId, status, error);
    }

    async Task UpdateRunAsync(NpgsqlConnection conn, long runId, string status, string? error, RunCounts? counts, int? version, CancellationToken cancellationToken)
    {
        const string sql = """
            update dx.ingestion_runs set status = $2, error = $3, finished_at = $4, published_version = $5,
                read_count = $6, valid_count = $7, rejected_count = $8, duplicate_count = $9,
                inserted_count = $10, updated_count = $11, deleted_count = $12, unchanged_count = $13, kept_count = $14
            where id = $1
            """;
        var c = counts ?? new RunCounts(0, 0, 0, 0, 0, 0, 0, 0, 0);
        await using var cmd = Db.Command(conn, sql, runId, status, error, time.GetUtcNow(), version,
            c.Read, c.Valid, c.Rejected, c.Duplicate, c.Inserted, c.Updated, c.Deleted, c.Unchanged, c.Kept);
        cmd.Parameters[2].NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text;
        cmd.Parameters[4].NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Integer;
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    Task AuditFinishedAsync(NpgsqlConnection conn, RunRow run, string status, string? error, RunCounts? counts, int? version, CancellationToken cancellationToken,
        Caller? actor = null)
    {
        var details = new JsonObject { ["status"] = status, ["trigger"] = run.Trigger, ["schemaVersion"] = run.SchemaVersion };
        if (error is not null) details["error"] = error;
        if (version is not null) details["publishedVersion"] = version;
        if (counts is not null) details["counts"] = System.Text.Json.JsonSerializer.SerializeToNode(counts, Json.Options);
        metrics.Ended(run.DatasetId, run.Trigger, status, counts);
        var outcome = status switch { RunStatus.Failed => AuditOutcome.Failed, RunStatus.Skipped => AuditOutcome.Skipped, _ => AuditOutcome.Succeeded };
        var action = status switch { RunStatus.Skipped => AuditAction.RunSkipped, RunStatus.Held => AuditAction.RunHeld, _ => AuditAction.RunFinished };
        return audit.AppendAsync(conn, new AuditRecord(actor ?? Caller.System, action, outcome, RunTarget(run), run.DatasetId, details), cancellationToken);
    }

    static string RunTarget(RunRow run) => $"{run.DatasetId}/runs/{run.Id}";

    /// <summary>Every line logged while a run executes carries its id (in JSON logs, among the scopes).</summary>
    static readonly Func<ILogger, long, IDisposable?> RunScope = LoggerMessage.DefineScope<long>("Run {RunId}");

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} of {DatasetId} ended {Status}. {Error}")]
    static partial void LogFinished(ILogger logger, long runId, string datasetId, string status, string? error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} parsed, validated and staged {Read} records in {StageMs:F0} ms; de-duplicated and compared with the published version in {DedupeMs:F0} ms")]
    static partial void LogStaged(ILogger logger, long runId, long read, double stageMs, double dedupeMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} was handed to a newer job; this one does nothing")]
    static partial void LogSuperseded(ILogger logger, long runId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId} will be retried: {Error}")]
    static partial void LogRetry(ILogger logger, long runId, string error);
}
