using System.Text.Json.Nodes;
using DataExchange.Core.Audit;
using DataExchange.Core.Common;
using DataExchange.Core.Feeds;
using Npgsql;
using static DataExchange.Core.Ingestion.RunSql;

namespace DataExchange.Core.Ingestion;

/// <summary>
/// Publishes a run's changes as the dataset's next numbered version in one transaction, or ends the run
/// unchanged (nothing changed) or held (its deletions need a steward, <see cref="RunHold"/>).
/// </summary>
public sealed class RunPublisher(RunLedger ledger, RunHold hold, AuditWriter audit, TimeProvider time)
{
    const string NextVersionSql = """
        select coalesce(max(version), 0) + 1,
               coalesce((select row_count from dx.dataset_versions where dataset_id = $1 order by version desc limit 1), 0)
        from dx.dataset_versions where dataset_id = $1
        """;

    // A join of the diff's changed and deleted keys with the dataset's current rows: what CloseByRowIdSql did not close. The
    // per-key form tried on 2026-12-03 (`ctid = any(array(select (select x.ctid … limit 1) from diff …))`) ran for over ten
    // minutes at 10M rows with 100k changed keys; a statement of that shape (ctid = any(array(…))) on 1M-row tables with stale
    // statistics shows why: the planner scanned the dataset's current rows by index and tested each against the array
    // (179 s for 10,000 keys), instead of a TID scan. CloseAsync forces the TID scan.
    const string CloseRowsSql = """
        update dx.records r set valid_to = $2
        from diff d
        where d.op in ('U', 'D') and r.dataset_id = $1 and r.valid_to is null and r.key = d.key
        """;

    // First, the rows the diff's join read (RunDiff's rid), by a TID scan of exactly those rows: no pass over the dataset's
    // current rows and no lookup per key, one heap fetch per changed record however large the dataset. Each row is checked again (its dataset, still current, a key the diff closes), so a
    // row moved since the diff read it (VACUUM FULL, CLUSTER) is not closed wrongly; whatever this missed, CloseRowsSql closes.
    const string CloseByRowIdSql = """
        update dx.records r set valid_to = $2
        where r.ctid = any(array(select rid from diff where op in ('U', 'D') and rid is not null))
          and r.dataset_id = $1 and r.valid_to is null
          and r.key in (select key from diff where op in ('U', 'D'))
        """;

    const string ToCloseSql = "select count(*) from diff where op in ('U', 'D')";

    const string ForceTidScanSql = """
        select set_config('enable_seqscan', 'off', true), set_config('enable_indexscan', 'off', true),
               set_config('enable_bitmapscan', 'off', true), set_config('jit', 'off', true)
        """;

    const string ResetScansSql = "reset enable_seqscan; reset enable_indexscan; reset enable_bitmapscan; reset jit";

    // In key order: both key indexes then grow at their right edge instead of splitting pages all
    // over, which on a first load of 1M rows is the larger part of the insert.
    const string InsertRowsSql = """
        insert into dx.records (dataset_id, key, valid_from, hash, schema_version, data, raw_hash)
        select $1, s.key, $2, s.hash, $3, s.data::jsonb, s.raw from stage s join diff d on d.line = s.line
        where d.op in ('I', 'U')
        order by s.key
        """;

    // A dataset with no current rows (its first load, or after everything was deleted): every staged
    // record is an insert, and the join with the diff (1M × 1M rows, a 270 MB hash table) is skipped.
    // Unsorted (issue 14): sorting 1M staged rows by key cost more than the index page splits it saves
    // (insert 9.9 s with the sort, 6.1 s without, on the 2-core machine).
    const string InsertAllRowsSql = """
        insert into dx.records (dataset_id, key, valid_from, hash, schema_version, data, raw_hash)
        select $1, s.key, $2, s.hash, $3, s.data::jsonb, s.raw from stage s
        where not s.del
        """;

    const string InsertVersionSql = """
        insert into dx.dataset_versions (dataset_id, version, run_id, schema_version, published_at, inserted_count, updated_count, deleted_count, row_count)
        values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
        """;

    /// <summary>Publishes the diff, unless nothing changed (unchanged) or its deletions need a steward (held).</summary>
    internal async Task MergeAndPublishAsync(NpgsqlConnection conn, RunRow run, FeedDefinition feed, RunCounts counts, bool firstLoad, CancellationToken cancellationToken)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        if (!firstLoad) counts = await RunDiff.CountChangesAsync(conn, counts, cancellationToken);
        if (counts.Inserted + counts.Updated + counts.Deleted == 0)
        {
            await ledger.FinishAsync(conn, run, RunStatus.Unchanged, null, counts, cancellationToken);
            return;
        }
        var published = await RunHold.PublishedStateAsync(conn, run.DatasetId, cancellationToken);
        if (await RunHold.HoldReasonAsync(conn, run, feed, counts, published.Rows, cancellationToken) is { } reason)
        {
            await hold.HoldAsync(conn, run, counts, published.Version, reason, cancellationToken);
            return;
        }
        await using var tx = await conn.BeginTransactionAsync(cancellationToken);
        var version = await PublishAsync(conn, run, counts, Caller.System, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        IngestionMetrics.Record(run.DatasetId, "publish", clock.Elapsed);
        ledger.Finished(run.Id, run.DatasetId, RunStatus.Succeeded, $"published version {version} (merge and publish took {clock.Elapsed.TotalMilliseconds:F0} ms)");
    }

    /// <summary>
    /// Publishes a first load whose records are already in <c>dx.records</c>, uncommitted, in <paramref name="load"/>'s
    /// transaction (<see cref="FirstLoad"/>): the same ending as <see cref="MergeAndPublishAsync"/> on a first load
    /// (nothing inserted: unchanged; never held, there is nothing to delete), then the version's row, the run's row,
    /// their audit entries and the notification in that transaction, and the commit.
    /// </summary>
    internal async Task PublishFirstLoadAsync(NpgsqlConnection conn, FirstLoad load, RunRow run, FeedDefinition feed, RunCounts counts, CancellationToken cancellationToken)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        if (counts.Inserted + counts.Updated + counts.Deleted == 0)
        {
            await load.DisposeAsync();
            await ledger.FinishAsync(conn, run, RunStatus.Unchanged, null, counts, cancellationToken);
            return;
        }
        // RunHold's rule, not bypassed: a dataset with no published rows is never held.
        if (await RunHold.HoldReasonAsync(conn, run, feed, counts, 0, cancellationToken) is { } reason)
            throw new InvalidOperationException($"A first load cannot be held: {reason}");
        if (counts.Updated != 0 || counts.Deleted != 0)
            throw new InvalidOperationException("A first load only inserts.");
        await PublishedAsync(load.Connection, run, counts, Caller.System, load.Version, 0, cancellationToken);
        await load.CommitAsync(cancellationToken);
        IngestionMetrics.Record(run.DatasetId, "publish", clock.Elapsed);
        ledger.Finished(run.Id, run.DatasetId, RunStatus.Succeeded, $"published version {load.Version} (first load; publish took {clock.Elapsed.TotalMilliseconds:F0} ms)");
    }

    /// <summary>
    /// Serialises publishers of one dataset (the advisory lock already does; this also covers replays). NO KEY
    /// UPDATE, not UPDATE: a run accepted meanwhile inserts its row, whose foreign key takes KEY SHARE on the
    /// dataset, and must not wait for the whole publish (an upload during a long publish answered 503).
    /// </summary>
    internal static async Task LockDatasetAsync(NpgsqlConnection conn, string datasetId, CancellationToken cancellationToken)
    {
        await using var cmd = Db.Command(conn, "select 1 from dx.datasets where id = $1 for no key update", datasetId);
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The dataset's next version number and the row count of its latest version (0 when none).</summary>
    internal static async Task<(int Version, long PreviousRows)> NextVersionAsync(NpgsqlConnection conn, string datasetId, CancellationToken cancellationToken)
    {
        await using var cmd = Db.Command(conn, NextVersionSql, datasetId);
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        await r.ReadAsync(cancellationToken);
        return (r.GetInt32(0), r.GetInt64(1));
    }

    /// <summary>
    /// Publishes the temp tables <c>stage</c> and <c>diff</c> as the next version, inside the caller's
    /// transaction: the one publish path of a run and of the release of a held run (which rebuilds both
    /// tables from <c>dx.held_changes</c>). Marks the run succeeded; returns the version.
    /// </summary>
    internal async Task<int> PublishAsync(NpgsqlConnection conn, RunRow run, RunCounts counts, Caller actor, CancellationToken cancellationToken)
    {
        await LockDatasetAsync(conn, run.DatasetId, cancellationToken);
        var (version, previousRows) = await NextVersionAsync(conn, run.DatasetId, cancellationToken);
        bool empty;
        await using (var cmd = Db.Command(conn, RunDiff.NoCurrentRowsSql, run.DatasetId)) empty = (bool)(await cmd.ExecuteScalarAsync(cancellationToken))!;
        if (!empty) await CloseAsync(conn, run.DatasetId, version, cancellationToken);
        await using (var cmd = Long(Db.Command(conn, empty ? InsertAllRowsSql : InsertRowsSql, run.DatasetId, version, run.SchemaVersion)))
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        await PublishedAsync(conn, run, counts, actor, version, previousRows, cancellationToken);
        return version;
    }

    /// <summary>
    /// Closes the current records the diff changes or deletes: by the row ids its join read, then, if that closed fewer than it
    /// should (a held run's diff has none; a row moved meanwhile), by the join on their keys, which finds only those still current.
    /// </summary>
    internal static async Task CloseAsync(NpgsqlConnection conn, string datasetId, int version, CancellationToken cancellationToken)
    {
        long expected;
        await using (var cmd = Long(Db.Command(conn, ToCloseSql))) expected = (long)(await cmd.ExecuteScalarAsync(cancellationToken))!;
        if (expected == 0) return;
        int closed;
        // The TID scan, whatever dx.records' statistics say: with stale ones (a big load not yet analysed) the planner took the
        // index scan of the dataset's current rows and tested every row against the array (179 s for 10,000 changed keys at 1M rows,
        // on a copy of the benchmark's tables, where the TID scan takes 0.4 s). The forced plan costs over jit_above_cost: no JIT.
        await using (var force = Db.Command(conn, ForceTidScanSql)) await force.ExecuteNonQueryAsync(cancellationToken);
        await using (var cmd = Long(Db.Command(conn, CloseByRowIdSql, datasetId, version))) closed = await cmd.ExecuteNonQueryAsync(cancellationToken);
        await using (var reset = Db.Command(conn, ResetScansSql)) await reset.ExecuteNonQueryAsync(cancellationToken);
        if (closed < expected)
            await using (var cmd = Long(Db.Command(conn, CloseRowsSql, datasetId, version))) await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The version's row, the run's row, their audit entries and the notification, inside the caller's transaction.</summary>
    async Task PublishedAsync(NpgsqlConnection conn, RunRow run, RunCounts counts, Caller actor, int version, long previousRows, CancellationToken cancellationToken)
    {
        var (inserted, updated, deleted) = (counts.Inserted, counts.Updated, counts.Deleted);
        var rows = previousRows + inserted - deleted;
        await using (var cmd = Db.Command(conn, InsertVersionSql, run.DatasetId, version, run.Id, run.SchemaVersion, time.GetUtcNow(), inserted, updated, deleted, rows))
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        await ledger.UpdateRunAsync(conn, run.Id, RunStatus.Succeeded, null, counts, version, cancellationToken);
        await audit.AppendAsync(conn, new AuditRecord(actor, AuditAction.VersionPublished, AuditOutcome.Succeeded, $"{run.DatasetId}@{version}", run.DatasetId,
            new JsonObject
            {
                ["version"] = version, ["runId"] = run.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), ["schemaVersion"] = run.SchemaVersion,
                ["inserted"] = inserted, ["updated"] = updated, ["deleted"] = deleted, ["rows"] = rows
            }), cancellationToken);
        await ledger.AuditFinishedAsync(conn, run, RunStatus.Succeeded, null, counts, version, cancellationToken, actor);
        await Subscriptions.Notifications.Outbox.WriteAsync(conn, run.DatasetId, version, new JsonObject { ["inserted"] = inserted, ["updated"] = updated, ["deleted"] = deleted, ["rows"] = rows }, time.GetUtcNow(), cancellationToken);
    }
}
