using System.Text.Json.Nodes;
using DataExchange.Core.Audit;
using DataExchange.Core.Common;
using DataExchange.Core.Datasets;
using DataExchange.Core.Feeds;
using Npgsql;

namespace DataExchange.Core.Ingestion;

/// <summary>Queues runs (manual, scheduled, pushed) and reads runs, quarantine and versions.</summary>
public sealed class IngestionService(NpgsqlDataSource dataSource, DatasetRegistry registry, UploadStore uploads, AuditWriter audit, RunDispatcher dispatcher, TimeProvider time)
{
    const string RunColumns = """
        id, dataset_id, status, trigger, schema_version, queued_at, started_at, finished_at, payload_sha256, published_version, error,
        read_count, valid_count, rejected_count, duplicate_count, inserted_count, updated_count, deleted_count, unchanged_count, kept_count,
        phase, progress_at, payload_bytes, bytes_read
        """;

    /// <summary>"Run now": queues a run of the dataset's feed. Stewards of the owning agency only.</summary>
    public async Task<RunInfo> RunNowAsync(Caller caller, string datasetId, CancellationToken cancellationToken = default)
    {
        await RequireStewardAsync(caller, datasetId, cancellationToken);
        var feed = await registry.GetFeedAsync(datasetId, cancellationToken);
        if (feed.Source == "upload")
            throw new ConflictException("feed-is-pushed", "This feed is pushed: upload a file instead (dx feed push).");
        return await QueueAsync(caller, datasetId, RunTrigger.Manual, null, cancellationToken);
    }

    /// <summary>Stores a pushed payload and queues its run, in one transaction.</summary>
    public async Task<RunInfo> UploadAsync(Caller caller, string datasetId, Stream body, CancellationToken cancellationToken = default)
    {
        await RequireStewardAsync(caller, datasetId, cancellationToken);
        return await QueueAsync(caller, datasetId, RunTrigger.Upload, body, cancellationToken);
    }

    /// <summary>Queues a scheduled run (from the recurring job); returns its id.</summary>
    public async Task<long> QueueScheduledAsync(string datasetId, CancellationToken cancellationToken = default) =>
        long.Parse((await QueueAsync(Caller.System, datasetId, RunTrigger.Schedule, null, cancellationToken)).Id, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// Queues a replay of a finished run's quarantine under the latest schema version (after the schema
    /// or the source was fixed): what is now valid is upserted as a new version. Stewards of the owner.
    /// </summary>
    public async Task<RunInfo> ReplayAsync(Caller caller, string datasetId, long runId, CancellationToken cancellationToken = default)
    {
        await RequireStewardAsync(caller, datasetId, cancellationToken);
        var original = await GetRunAsync(datasetId, runId, cancellationToken);
        if (!RunNames.ParseStatus(original.Status).IsFinal())
            throw new ConflictException("run-not-finished", $"Run {runId} is {original.Status}; replay its quarantine once it has finished.");
        await using (var cmd = Db.Command(dataSource, "select exists (select 1 from dx.rejected_records where run_id = $1)", runId))
            if (await cmd.ExecuteScalarAsync(cancellationToken) is not true)
                throw new ConflictException("nothing-to-replay", $"Run {runId} quarantined no records.");
        return await QueueAsync(caller, datasetId, RunTrigger.Replay, null, cancellationToken, runId);
    }

    async Task<RunInfo> QueueAsync(Caller caller, string datasetId, RunTrigger trigger, Stream? upload, CancellationToken cancellationToken, long? replayOf = null)
    {
        var schemaVersion = await registry.LatestSchemaVersionAsync(datasetId, cancellationToken);
        const string sql = """
            insert into dx.ingestion_runs (dataset_id, trigger, status, schema_version, queued_at, replay_of) values ($1, $2, 'queued', $3, $4, $5)
            returning id, job_ticket
            """;
        await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken);
        long runId;
        Guid ticket;
        await using (var cmd = Db.Command(conn, sql, datasetId, trigger.Name(), schemaVersion, time.GetUtcNow(), Db.Typed(replayOf)))
        {
            await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
            await r.ReadAsync(cancellationToken);
            (runId, ticket) = (r.GetInt64(0), r.GetGuid(1));
        }
        var details = new JsonObject { ["trigger"] = trigger.Name(), ["schemaVersion"] = schemaVersion };
        if (replayOf is not null) details["replayOf"] = replayOf.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (upload is not null) details["bytes"] = await uploads.SaveAsync(conn, runId, upload, cancellationToken);
        await audit.AppendAsync(conn, new AuditRecord(caller, upload is not null ? AuditAction.FeedUploaded : replayOf is not null ? AuditAction.RunReplayQueued : AuditAction.RunQueued, AuditOutcome.Succeeded,
            $"{datasetId}/runs/{runId}", datasetId, details), cancellationToken);
        await tx.CommitAsync(cancellationToken);
        // Committed is accepted: if the job storage fails now (or this process dies), the recovery sweep hands
        // the run to a job after Ingestion:RecoverAfter (issue 13, item 15).
        await dispatcher.DispatchAsync(runId, ticket, CancellationToken.None);
        return await GetRunAsync(datasetId, runId, cancellationToken);
    }

    /// <summary>
    /// Runs of a dataset, newest first: stewards, admins and auditors of the owner and the operator's admins and auditors
    /// (<see cref="DatasetOperations.CanRead"/>); counts, payload hashes and failure messages are not catalogue metadata.
    /// </summary>
    public async Task<Page<RunInfo>> ListRunsAsync(Caller caller, string datasetId, int? limit, string? after, CancellationToken cancellationToken = default)
    {
        await registry.RequireOperationsReaderAsync(caller, datasetId, cancellationToken);
        await registry.GetFeedAsync(datasetId, cancellationToken);
        var take = Paging.Limit(limit);
        var before = Paging.Decode(after) is { } c ? long.Parse(c, System.Globalization.CultureInfo.InvariantCulture) : long.MaxValue;
        await using var cmd = Db.Command(dataSource, $"select {RunColumns} from dx.ingestion_runs where dataset_id = $1 and id < $2 order by id desc limit $3", datasetId, before, take + 1);
        var runs = new List<RunInfo>();
        await using (var r = await cmd.ExecuteReaderAsync(cancellationToken))
            while (await r.ReadAsync(cancellationToken)) runs.Add(ReadRun(r));
        var next = runs.Count > take ? Paging.Encode(runs[take - 1].Id) : null;
        return new Page<RunInfo>(runs.Take(take).ToList(), next);
    }

    /// <summary>One run for <paramref name="caller"/> (as <see cref="ListRunsAsync"/>); 404 when it is not a run of that dataset.</summary>
    public async Task<RunInfo> GetRunAsync(Caller caller, string datasetId, long runId, CancellationToken cancellationToken = default)
    {
        await registry.RequireOperationsReaderAsync(caller, datasetId, cancellationToken);
        return await GetRunAsync(datasetId, runId, cancellationToken);
    }

    /// <summary>One run, unchecked (for the service's own answers); 404 when it is not a run of that dataset.</summary>
    public async Task<RunInfo> GetRunAsync(string datasetId, long runId, CancellationToken cancellationToken = default)
    {
        await using var cmd = Db.Command(dataSource, $"select {RunColumns} from dx.ingestion_runs where dataset_id = $1 and id = $2", datasetId, runId);
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        return await r.ReadAsync(cancellationToken) ? ReadRun(r) : throw new NotFoundException($"Run {runId} of '{datasetId}' does not exist.");
    }

    /// <summary>
    /// A run's quarantined records with their errors. Stewards of the owner only: raw rows may hold
    /// personal data, so every read is audited (rejected-records-read) before the page is returned.
    /// </summary>
    public async Task<Page<RejectedRecord>> ListRejectedAsync(Caller caller, string datasetId, long runId, int? limit, string? after, CancellationToken cancellationToken = default)
    {
        await RequireStewardAsync(caller, datasetId, cancellationToken);
        await GetRunAsync(datasetId, runId, cancellationToken);
        var take = Paging.Limit(limit);
        var from = Paging.Decode(after) is { } c ? long.Parse(c, System.Globalization.CultureInfo.InvariantCulture) : 0;
        await using var cmd = Db.Command(dataSource, "select line, raw, errors::text, schema_version from dx.rejected_records where run_id = $1 and line > $2 order by line limit $3", runId, from, take + 1);
        var list = new List<RejectedRecord>();
        await using (var r = await cmd.ExecuteReaderAsync(cancellationToken))
            while (await r.ReadAsync(cancellationToken))
                list.Add(new RejectedRecord(r.GetInt64(0), r.GetString(1), JsonNode.Parse(r.GetString(2))!, r.GetInt32(3)));
        var page = list.Take(take).ToList();
        await audit.AppendAsync(new AuditRecord(caller, AuditAction.RejectedRecordsRead, AuditOutcome.Allowed, $"{datasetId}/runs/{runId}", datasetId,
            new JsonObject { ["run"] = runId, ["rows"] = page.Count, ["firstLine"] = page.FirstOrDefault()?.Line, ["lastLine"] = page.LastOrDefault()?.Line }),
            cancellationToken);
        var next = list.Count > take ? Paging.Encode(list[take - 1].Line.ToString(System.Globalization.CultureInfo.InvariantCulture)) : null;
        return new Page<RejectedRecord>(page, next);
    }

    /// <summary>Published versions, newest first.</summary>
    public async Task<IReadOnlyList<DatasetVersion>> ListVersionsAsync(string datasetId, CancellationToken cancellationToken = default)
    {
        await registry.GetFeedAsync(datasetId, cancellationToken);
        const string sql = """
            select version, run_id, schema_version, published_at, inserted_count, updated_count, deleted_count, row_count
            from dx.dataset_versions where dataset_id = $1 order by version desc
            """;
        await using var cmd = Db.Command(dataSource, sql, datasetId);
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        var list = new List<DatasetVersion>();
        while (await r.ReadAsync(cancellationToken))
            list.Add(new DatasetVersion(r.GetInt32(0), r.GetInt64(1).ToString(System.Globalization.CultureInfo.InvariantCulture), r.GetInt32(2),
                r.GetFieldValue<DateTimeOffset>(3), new VersionCounts(r.GetInt64(4), r.GetInt64(5), r.GetInt64(6), r.GetInt64(7))));
        return list;
    }

    async Task RequireStewardAsync(Caller caller, string datasetId, CancellationToken cancellationToken)
    {
        caller.Require(Role.Steward);
        var dataset = await registry.FindAsync(datasetId, cancellationToken) ?? throw new NotFoundException($"Dataset '{datasetId}' does not exist.");
        if (dataset.Owner != caller.AgencyId)
            throw new ForbiddenException("not-owner", "Only stewards of the owning agency manage this dataset's feed.");
    }

    static RunInfo ReadRun(NpgsqlDataReader r) => new(
        r.GetInt64(0).ToString(System.Globalization.CultureInfo.InvariantCulture), r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt32(4),
        r.GetFieldValue<DateTimeOffset>(5), r.GetNullable<DateTimeOffset>(6), r.GetNullable<DateTimeOffset>(7), r.Get<string>(8),
        r.GetNullable<int>(9), r.Get<string>(10),
        new RunCounts(r.GetInt64(11), r.GetInt64(12), r.GetInt64(13), r.GetInt64(14), r.GetInt64(15), r.GetInt64(16), r.GetInt64(17), r.GetInt64(18), r.GetInt64(19)),
        RunProgress.Of(r.GetString(2), r.GetNullable<DateTimeOffset>(6), r.Get<string>(20), r.GetNullable<DateTimeOffset>(21), r.GetInt64(11), r.GetNullable<long>(22), r.GetNullable<long>(23)));
}
