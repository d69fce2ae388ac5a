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
/// Executes one ingestion run: fetch → parse → validate (parallel) → stage (binary COPY) → de-duplicate →
/// diff (rows known by their source row's hash checked in its join, the rest resolved) → merge → publish, the publish in one transaction. A run is re-entrant: executed
/// again after a crash it starts over; executed again after it finished it does nothing. The runs of a
/// dataset go one at a time, oldest first: a run that finds its dataset busy waits, and the run that
/// ends hands the dataset over to the oldest waiting one.
/// </summary>
public sealed partial class IngestionRunner(
    DatasetRegistry registry,
    RunLedger ledger,
    RunWaiting waiting,
    PayloadSource source,
    RunStager stager,
    StageDeduplicator deduplicator,
    ProvenDiff proven,
    RunDiff diff,
    RunPublisher publisher,
    AuditWriter audit,
    RunDispatcher dispatcher,
    NpgsqlDataSource dataSource,
    IOptions<IngestionOptions> options,
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
        var run = await RunLedger.LoadRunAsync(conn, runId, cancellationToken);
        if (run is null || run.Status.IsFinal()) return;
        if (run.Ticket != ticket)
        {
            RunLedger.LogSuperseded(logger, run.Id);
            return;
        }

        // Session lock per dataset: one run at a time, released by PostgreSQL if this process dies.
        if (!await DatasetLock.TryLockAsync(conn, run.DatasetId, cancellationToken))
        {
            if (run.Status != RunStatus.Running)
            {
                await waiting.WaitAsync(conn, run, cancellationToken);
                return;
            }
            // This run was interrupted: its worker died, but PostgreSQL ends the dead worker's session (and
            // with it the lock) only at its next exchange with the client, after the statement it was
            // running or waiting on. Skipping would leave the run undone; come back after a retry delay.
            const string busy = "An interrupted attempt of this run still holds the dataset's lock in PostgreSQL (its worker died mid-statement).";
            if (finalAttempt)
            {
                await ledger.FinishAsync(conn, run, RunStatus.Failed, FailedAfterRetries(busy), null, cancellationToken);
                return;
            }
            LogRetry(logger, run.Id, busy);
            await RunLedger.NoteRetryAsync(conn, run, busy, cancellationToken);
            throw new DatasetBusyException(busy);
        }
        try
        {
            // Oldest first: a queued run behind another queued one waits for it (finally hands over to the head).
            if (run.Status == RunStatus.Queued && await RunWaiting.HasEarlierQueuedAsync(conn, run, cancellationToken))
                await waiting.WaitBehindAsync(conn, run, cancellationToken);
            else if (await ledger.StartAsync(conn, run, cancellationToken))
                await ProcessAsync(conn, run, cancellationToken);
        }
        catch (Exception e) when (IsPayloadProblem(Cause(e)) && !MayBeWholeNextTime(run, Cause(e)))
        {
            // The payload or the feed definition is wrong: retrying the same bytes cannot help.
            if (Cause(e) is FeedFetchException { Refusal: { } reason })
                await audit.AppendAsync(new AuditRecord(Caller.System, AuditAction.FeedSourceRefused, AuditOutcome.Denied, run.Target, run.DatasetId,
                    new JsonObject { ["code"] = DropFolder.Refused, ["reason"] = reason, ["at"] = "fetch" }), CancellationToken.None);
            await ledger.FinishAsync(conn, run, RunStatus.Failed, Cause(e).Message, null, CancellationToken.None);
        }
        catch (Exception e) when (!finalAttempt && e is not OperationCanceledException)
        {
            // Transient (source down, database hiccup): back to queued, and Hangfire retries with backoff.
            LogRetry(logger, run.Id, e.Message);
            await RunLedger.MarkRetryAsync(conn, run, e.Message, CancellationToken.None);
            throw;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await ledger.FinishAsync(conn, run, RunStatus.Failed, FailedAfterRetries(e.Message), null, CancellationToken.None);
        }
        finally
        {
            await DatasetLock.ReleaseAsync(conn, run.DatasetId);
            await dispatcher.HandOverAsync(run.DatasetId, CancellationToken.None);
        }
    }

    string FailedAfterRetries(string cause) => $"Failed after {options.Value.RetryDelays.Length + 1} attempts: {cause}";

    async Task ProcessAsync(NpgsqlConnection conn, RunRow run, CancellationToken cancellationToken)
    {
        var dataset = await registry.FindAsync(run.DatasetId, cancellationToken) ?? throw new NotFoundException(run.DatasetId);
        var feed = await registry.GetFeedAsync(run.DatasetId, cancellationToken);
        var schema = await registry.GetSchemaAsync(run.DatasetId, run.SchemaVersion, cancellationToken);
        if (run.ReplayOf is { } original) feed = await QuarantineReplay.FeedAsync(conn, original, feed, cancellationToken);
        var fetching = System.Diagnostics.Stopwatch.GetTimestamp();
        using var payload = await source.SpoolAsync(conn, run, dataset.Owner, feed, cancellationToken);
        IngestionMetrics.Record(run.DatasetId, "fetch", System.Diagnostics.Stopwatch.GetElapsedTime(fetching));
        if (payload.NotModified)
        {
            await ledger.FinishAsync(conn, run, RunStatus.Unchanged, "The source answered 304 Not Modified.", null, cancellationToken);
            return;
        }
        await RunLedger.SetPayloadAsync(conn, run.Id, payload, cancellationToken);
        if (run.ReplayOf is null && await RunLedger.IsSamePayloadAsync(conn, run, payload.Sha256!, cancellationToken))
        {
            await ledger.FinishAsync(conn, run, RunStatus.Unchanged, null, null, cancellationToken);
            await PayloadSource.SaveValidatorsAsync(conn, run.Id, payload, cancellationToken);
            return;
        }
        if (run.ReplayOf is null && await RunHold.HeldWithSamePayloadAsync(conn, run, payload.Sha256!, cancellationToken) is { } held)
        {
            // 'skipped', not 'unchanged': IsSamePayloadAsync takes an unchanged run's bytes as published,
            // so after a discard the same bytes would never be read again. The source's validators are not
            // saved for the same reason (a 304 would end every later tick 'unchanged').
            await ledger.FinishAsync(conn, run, RunStatus.Skipped,
                $"The same payload is held in run {held}, waiting for a steward to release or discard it; nothing was staged.", null, cancellationToken);
            return;
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        // A dataset with no current rows: its records go straight into dx.records, in the publish transaction (FirstLoad).
        await using var load = options.Value.DirectFirstLoad ? await FirstLoad.BeginAsync(dataSource, run, Path.GetDirectoryName(Path.GetFullPath(payload.Path!))!, cancellationToken) : null;
        var stage = await stager.StageAsync(conn, run, payload.Path!, feed, schema, dataset.KeyFields, load, cancellationToken);
        using var proofInput = stage.Proof;
        var counts = stage.Counts;
        var staged = clock.Elapsed;
        IngestionMetrics.Record(run.DatasetId, "stage", staged);
        await ledger.ReportProgressAsync(run.Id, "publishing", counts.Read, counts.Valid, counts.Rejected, payload.Length, cancellationToken);
        var reread = new RunPayload(payload.Path!, feed, schema, dataset.KeyFields);
        // A first load's records in dx.records have no stage row, but for the first copies of repeated keys.
        var restaged = load is null ? 0 : await load.AddFirstCopiesAsync(conn, run, stage, cancellationToken);
        // A re-ingest whose known rows are proven to be exactly the current records outside the changed few: the stage keeps
        // only the others (no row staged by its row hash alone is left), the known rows count as unchanged, their copies as duplicates.
        var proving = clock.Elapsed;
        var provenDiff = load is null ? await proven.TryAsync(conn, run, feed, stage, cancellationToken) : null;
        var proved = clock.Elapsed - proving; // its own phase, "prove" (ProvenDiff)
        counts = await deduplicator.DeduplicateAsync(conn, run, reread, provenDiff is null ? stage : stage with { Known = 0 }, cancellationToken);
        if (provenDiff is not null) counts = counts with { Duplicate = counts.Duplicate + provenDiff.Repeats, Unchanged = provenDiff.Known };
        if (load is not null) await load.ResolveAsync(conn, run, stage, cancellationToken);
        var deduplicated = clock.Elapsed;
        IngestionMetrics.Record(run.DatasetId, "dedupe", deduplicated - staged - proved);
        // A first load made sure inside its transaction, under the dataset's locks, that there are no current rows (and the
        // stager that it evaluated every record); asked again from this connection, the question walks the load's
        // uncommitted rows one by one in the index (1.1 s at 1M rows).
        var firstLoad = load is not null || await RunDiff.IsFirstLoadAsync(conn, run, stage, cancellationToken);
        counts = firstLoad ? await RunDiff.FirstLoadAsync(conn, counts, stage.Direct - restaged, cancellationToken)
            : await diff.DiffAsync(conn, run, reread, counts, provenDiff is not null, cancellationToken);
        IngestionMetrics.Record(run.DatasetId, "diff", clock.Elapsed - deduplicated);
        LogStaged(logger, run.Id, counts.Read, staged.TotalMilliseconds, (clock.Elapsed - staged).TotalMilliseconds);
        if (counts.Read == 0)
        {
            if (load is not null) await load.DisposeAsync();
            await ledger.FinishAsync(conn, run, RunStatus.Failed, "The payload has no records; an empty snapshot would delete every record, so nothing was published.", counts, cancellationToken);
            return;
        }
        var share = (double)counts.Rejected / counts.Read;
        if (share > feed.RejectThreshold)
        {
            if (load is not null) await load.DisposeAsync();
            await ledger.FinishAsync(conn, run, RunStatus.Failed,
                $"{counts.Rejected} of {counts.Read} records ({share:P1}) were rejected, above the feed's threshold of {feed.RejectThreshold:P0}; nothing was published.", counts, cancellationToken);
            return;
        }
        if (load is not null) await publisher.PublishFirstLoadAsync(conn, load, run, feed, counts, cancellationToken);
        else await publisher.MergeAndPublishAsync(conn, run, feed, counts, firstLoad, cancellationToken);
        await PayloadSource.SaveValidatorsAsync(conn, run.Id, payload, cancellationToken);
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

    /// <summary>Every line logged while a run executes carries its id (in JSON logs, among the scopes).</summary>
    static readonly Func<ILogger, long, IDisposable?> RunScope = LoggerMessage.DefineScope<long>("Run {RunId}");

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} parsed, validated and staged {Read} records in {StageMs:F0} ms; de-duplicated and compared with the published version in {DedupeMs:F0} ms")]
    static partial void LogStaged(ILogger logger, long runId, long read, double stageMs, double dedupeMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId} will be retried: {Error}")]
    static partial void LogRetry(ILogger logger, long runId, string error);
}
