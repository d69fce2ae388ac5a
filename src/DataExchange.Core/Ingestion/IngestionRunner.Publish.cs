using System.Text.Json.Nodes;
using DataExchange.Core.Audit;
using DataExchange.Core.Common;
using DataExchange.Core.Datasets.Schemas;
using DataExchange.Core.Feeds;
using Npgsql;

namespace DataExchange.Core.Ingestion;

public sealed partial class IngestionRunner
{
    // Keys seen more than once in the payload. Every repeated key has a copy staged with dup set (see
    // KeyFilter), so only the keys of those rows are grouped (a few per cent of the stage) instead of a
    // hash aggregate over every key (1.1 s for 200k rows on the 2-core machine); a key flagged by a false
    // positive of the filter appears once and is left out by the having.
    const string FindDuplicatesSql = """
        create temp table dups as
            select s.key, count(*) as n, count(distinct s.hash) > 1 as conflicting, min(s.line) as first_line, max(s.line) as last_line
            from stage s where s.key in (select key from stage where dup)
            group by s.key having count(*) > 1
        """;

    const string CountDuplicatesSql = """
        select coalesce(sum(n) filter (where conflicting), 0)::bigint, coalesce(sum(n - 1) filter (where not conflicting), 0)::bigint,
               coalesce(sum(n - 1) filter (where conflicting), 0)::bigint
        from dups
        """;

    const string QuarantineConflictsSql = """
        insert into dx.rejected_records (run_id, line, raw, errors, schema_version, key)
        select $1, s.line, s.data,
               jsonb_build_array(jsonb_build_object('code', 'duplicate-key-conflict', 'pointer', '', 'schemaPointer', '',
                   'message', 'The key appears ' || d.n || ' times with different content (lines ' || d.first_line || '–' || d.last_line
                              || '); all are rejected. Fix the source, or set the feed''s onConflict to last-wins.')),
               $2, s.key
        from stage s join dups d on d.key = s.key
        where d.conflicting
        """;

    // Keeps the first of identical copies; with last-wins, the last of conflicting ones; in reject mode drops every conflicting copy.
    const string DropDuplicatesSql = """
        delete from stage s using dups d
        where s.key = d.key
          and ((d.conflicting and not $1) or s.line <> case when d.conflicting then d.last_line else d.first_line end)
        """;

    /// <summary>No command timeout: set-based steps over millions of rows outlast Npgsql's default 30 s (cancellation still applies).</summary>
    static NpgsqlCommand Long(NpgsqlCommand command)
    {
        command.CommandTimeout = 0;
        return command;
    }

    // Copies of a conflicting key staged without their body (their content was probably published).
    const string ConflictingWithoutBodySql = "select s.line from stage s join dups d on d.key = s.key where d.conflicting and s.data is null";

    async Task<RunCounts> DeduplicateAsync(NpgsqlConnection conn, RunRow run, Payload payload, StageOutcome stage, CancellationToken cancellationToken)
    {
        var counts = stage.Counts;
        if (stage.MaybeDuplicates == 0) return counts;
        var feed = payload.Feed;
        long conflictingRows, identicalExtra, conflictingExtra;
        await using (var cmd = Long(new NpgsqlCommand(FindDuplicatesSql, conn))) await cmd.ExecuteNonQueryAsync(cancellationToken);
        await using (var cmd = Long(new NpgsqlCommand(CountDuplicatesSql, conn)))
        await using (var r = await cmd.ExecuteReaderAsync(cancellationToken))
        {
            await r.ReadAsync(cancellationToken);
            (conflictingRows, identicalExtra, conflictingExtra) = (r.GetInt64(0), r.GetInt64(1), r.GetInt64(2));
        }
        if (identicalExtra == 0 && conflictingRows == 0) return counts;
        var lastWins = feed.OnConflict == "last-wins";
        if (!lastWins && conflictingRows > 0)
        {
            // The quarantine keeps every copy's content: bodies staged as probably published are read again (rare: a key conflicting within one payload).
            var lines = new HashSet<long>();
            await using (var cmd = Long(Db.Command(conn, ConflictingWithoutBodySql)))
            await using (var r = await cmd.ExecuteReaderAsync(cancellationToken))
                while (await r.ReadAsync(cancellationToken)) lines.Add(r.GetInt64(0));
            if (lines.Count > 0) await BodiesAsync(conn, payload, lines, q => q.StoredRaw, cancellationToken);
            await using var q = Long(Db.Command(conn, QuarantineConflictsSql, run.Id, run.SchemaVersion));
            await q.ExecuteNonQueryAsync(cancellationToken);
        }
        await using (var del = Long(Db.Command(conn, DropDuplicatesSql, lastWins))) await del.ExecuteNonQueryAsync(cancellationToken);
        return lastWins
            ? counts with { Duplicate = identicalExtra + conflictingExtra }
            : counts with { Duplicate = identicalExtra, Rejected = counts.Rejected + conflictingRows };
    }

    // One pass over the payload and the published version (a hash full join; the merge never rewrites
    // an unchanged row: 1M rows with 2% changed, 3.2 s versus 20.6 s for a full upsert). op: I new key,
    // U changed content, D deleted (snapshot: a published key missing from the payload; incremental:
    // a published key whose record carried the delete marker), K kept (snapshot: a published key missing
    // from the stage because this run rejected its row: a rejected row never deletes its record, issue 12),
    // = unchanged but kept for verification.
    // unverified: the record skipped the evaluator on its hash, yet is not exactly a published record.
    // The rejected keys are read as a set (a few per run; 5% of 1M is 50k rows, one hash join).
    const string DiffSql = """
        create temp table diff as
            select line, key, op, unverified from (
                select s.line, coalesce(s.key, r.key) as key,
                       case when s.key is null and k.key is not null then 'K'
                            when s.key is null or s.del then 'D' when r.key is null then 'I' when r.hash <> s.hash then 'U' else '=' end as op,
                       coalesce(not s.checked and (r.key is null or r.hash <> s.hash or r.schema_version <> $3), false) as unverified,
                       s.key is null as missing, s.del, r.key is not null as published
                from stage s
                full join (select key, hash, schema_version from dx.records where dataset_id = $1 and valid_to is null) r on r.key = s.key
                left join (select distinct key collate "C" as key from dx.rejected_records where run_id = $4 and key is not null) k
                    on s.key is null and k.key = r.key
            ) d
            where (missing and $2) or (del and published) or (not missing and not del and op <> '=') or unverified
        """;

    const string CountChangesSql = """
        select count(*) filter (where op = 'I'), count(*) filter (where op = 'U'), count(*) filter (where op = 'D'), (select count(*) from stage where not del),
               count(*) filter (where op = 'K')
        from diff
        """;

    const string NextVersionSql = """
        select coalesce(max(version), 0) + 1,
               coalesce((select row_count from dx.dataset_versions where dataset_id = $1 order by version desc limit 1), 0)
        from dx.dataset_versions where dataset_id = $1
        """;

    const string CloseRowsSql = """
        update dx.records r set valid_to = $2
        from diff d
        where d.op in ('U', 'D') and r.dataset_id = $1 and r.valid_to is null and r.key = d.key
        """;

    // In key order: both key indexes then grow at their right edge instead of splitting pages all
    // over, which on a first load of 1M rows is the larger part of the insert.
    const string InsertRowsSql = """
        insert into dx.records (dataset_id, key, valid_from, hash, schema_version, data)
        select $1, s.key, $2, s.hash, $3, s.data::jsonb from stage s join diff d on d.line = s.line
        where d.op in ('I', 'U')
        order by s.key
        """;

    // A dataset with no current rows (its first load, or after everything was deleted): every staged
    // record is an insert, and the join with the diff (1M × 1M rows, a 270 MB hash table) is skipped.
    // Unsorted (issue 14): sorting 1M staged rows by key cost more than the index page splits it saves
    // (insert 9.9 s with the sort, 6.1 s without, on the 2-core machine).
    const string InsertAllRowsSql = """
        insert into dx.records (dataset_id, key, valid_from, hash, schema_version, data)
        select $1, s.key, $2, s.hash, $3, s.data::jsonb from stage s
        where not s.del
        """;

    const string NoCurrentRowsSql = "select not exists (select 1 from dx.records where dataset_id = $1 and valid_to is null)";

    const string InsertVersionSql = """
        insert into dx.dataset_versions (dataset_id, version, run_id, schema_version, published_at, inserted_count, updated_count, deleted_count, row_count)
        values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
        """;

    const string FirstLoadCountsSql = "select count(*) from stage where not del";

    /// <summary>
    /// Whether the run is a first load: the dataset has no current rows (its first version, or after
    /// everything was deleted) and no record skipped the evaluator. Then every staged record is an insert,
    /// nothing is deleted, kept or held, and the diff is not built (<see cref="FirstLoadAsync"/>).
    /// </summary>
    static async Task<bool> IsFirstLoadAsync(NpgsqlConnection conn, RunRow run, StageOutcome stage, CancellationToken cancellationToken)
    {
        if (stage.Skipped > 0) return false;
        await using var cmd = Db.Command(conn, NoCurrentRowsSql, run.DatasetId);
        return (bool)(await cmd.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>A first load's counts, from the stage alone: its records that are not deletes are inserted.</summary>
    static async Task<RunCounts> FirstLoadAsync(NpgsqlConnection conn, RunCounts counts, CancellationToken cancellationToken)
    {
        await using var cmd = Long(Db.Command(conn, FirstLoadCountsSql));
        var inserted = (long)(await cmd.ExecuteScalarAsync(cancellationToken))!;
        return counts with { Inserted = inserted, Updated = 0, Deleted = 0, Unchanged = 0 };
    }

    /// <summary>The published version's differences from the payload, in the temp table <c>diff</c>; skipped records verified.</summary>
    async Task<RunCounts> DiffAsync(NpgsqlConnection conn, RunRow run, Payload payload, RunCounts counts, CancellationToken cancellationToken)
    {
        var feed = payload.Feed;
        await using (var cmd = Long(Db.Command(conn, "analyze pg_temp.stage"))) await cmd.ExecuteNonQueryAsync(cancellationToken);
        await using (var cmd = Long(Db.Command(conn, DiffSql, run.DatasetId, feed.Mode == "snapshot", run.SchemaVersion, run.Id))) await cmd.ExecuteNonQueryAsync(cancellationToken);
        return await VerifySkippedAsync(conn, run, payload, counts, cancellationToken);
    }

    /// <summary>Publishes the diff, unless nothing changed (unchanged) or its deletions need a steward (held).</summary>
    async Task MergeAndPublishAsync(NpgsqlConnection conn, RunRow run, FeedDefinition feed, RunCounts counts, bool firstLoad, CancellationToken cancellationToken)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        if (!firstLoad) counts = await CountChangesAsync(conn, counts, cancellationToken);
        if (counts.Inserted + counts.Updated + counts.Deleted == 0)
        {
            await FinishAsync(conn, run, RunStatus.Unchanged, null, counts, cancellationToken);
            return;
        }
        var published = await PublishedStateAsync(conn, run.DatasetId, cancellationToken);
        if (await HoldReasonAsync(conn, run, feed, counts, published.Rows, cancellationToken) is { } reason)
        {
            await HoldAsync(conn, run, counts, published.Version, reason, cancellationToken);
            return;
        }
        await using var tx = await conn.BeginTransactionAsync(cancellationToken);
        var version = await PublishAsync(conn, run, counts, Caller.System, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        IngestionMetrics.Record(run.DatasetId, "publish", clock.Elapsed);
        LogFinished(logger, run.Id, run.DatasetId, RunStatus.Succeeded, $"published version {version} (merge and publish took {clock.Elapsed.TotalMilliseconds:F0} ms)");
    }

    /// <summary>The counts of the diff's changes.</summary>
    static async Task<RunCounts> CountChangesAsync(NpgsqlConnection conn, RunCounts counts, CancellationToken cancellationToken)
    {
        await using var cmd = Long(Db.Command(conn, CountChangesSql));
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        await r.ReadAsync(cancellationToken);
        var (inserted, updated, deleted, staged) = (r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3));
        return counts with { Inserted = inserted, Updated = updated, Deleted = deleted, Unchanged = staged - inserted - updated, Kept = counts.Kept + r.GetInt64(4) };
    }

    /// <summary>
    /// Publishes the temp tables <c>stage</c> and <c>diff</c> as the next version, inside the caller's
    /// transaction: the one publish path of a run and of the release of a held run (which rebuilds both
    /// tables from <c>dx.held_changes</c>). Marks the run succeeded; returns the version.
    /// </summary>
    async Task<int> PublishAsync(NpgsqlConnection conn, RunRow run, RunCounts counts, Caller actor, CancellationToken cancellationToken)
    {
        // Serialises publishers of one dataset (the advisory lock already does; this also covers replays). NO KEY
        // UPDATE, not UPDATE: a run accepted meanwhile inserts its row, whose foreign key takes KEY SHARE on the
        // dataset, and must not wait for the whole publish (an upload during a long publish answered 503).
        await using (var cmd = Db.Command(conn, "select 1 from dx.datasets where id = $1 for no key update", run.DatasetId)) await cmd.ExecuteNonQueryAsync(cancellationToken);
        int version;
        long previousRows;
        await using (var cmd = Db.Command(conn, NextVersionSql, run.DatasetId))
        await using (var r = await cmd.ExecuteReaderAsync(cancellationToken))
        {
            await r.ReadAsync(cancellationToken);
            (version, previousRows) = (r.GetInt32(0), r.GetInt64(1));
        }
        bool empty;
        await using (var cmd = Db.Command(conn, NoCurrentRowsSql, run.DatasetId)) empty = (bool)(await cmd.ExecuteScalarAsync(cancellationToken))!;
        if (!empty)
            await using (var cmd = Long(Db.Command(conn, CloseRowsSql, run.DatasetId, version))) await cmd.ExecuteNonQueryAsync(cancellationToken);
        await using (var cmd = Long(Db.Command(conn, empty ? InsertAllRowsSql : InsertRowsSql, run.DatasetId, version, run.SchemaVersion)))
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        var (inserted, updated, deleted) = (counts.Inserted, counts.Updated, counts.Deleted);
        var rows = previousRows + inserted - deleted;
        await using (var cmd = Db.Command(conn, InsertVersionSql, run.DatasetId, version, run.Id, run.SchemaVersion, time.GetUtcNow(), inserted, updated, deleted, rows))
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        await UpdateRunAsync(conn, run.Id, RunStatus.Succeeded, null, counts, version, cancellationToken);
        await audit.AppendAsync(conn, new AuditRecord(actor, AuditAction.VersionPublished, AuditOutcome.Succeeded, $"{run.DatasetId}@{version}", run.DatasetId,
            new JsonObject { ["version"] = version, ["runId"] = run.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), ["schemaVersion"] = run.SchemaVersion,
                ["inserted"] = inserted, ["updated"] = updated, ["deleted"] = deleted, ["rows"] = rows }), cancellationToken);
        await AuditFinishedAsync(conn, run, RunStatus.Succeeded, null, counts, version, cancellationToken, actor);
        await Subscriptions.Notifications.Outbox.WriteAsync(conn, run.DatasetId, version, new JsonObject { ["inserted"] = inserted, ["updated"] = updated, ["deleted"] = deleted, ["rows"] = rows }, time.GetUtcNow(), cancellationToken);
        return version;
    }
}
