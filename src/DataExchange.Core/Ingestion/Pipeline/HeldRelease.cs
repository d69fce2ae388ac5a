using DataExchange.Core.Common;
using Npgsql;
using static DataExchange.Core.Ingestion.RunSql;

namespace DataExchange.Core.Ingestion;

/// <summary>
/// The publish of a held run: its changes restored from <c>dx.held_changes</c> into the shape the run's
/// publish reads, and published through <see cref="RunPublisher"/>; the checks a release and a discard share.
/// </summary>
public sealed class HeldRelease(RunPublisher publisher, RunLedger ledger)
{
    const string HeldRunSql = """
        select r.status, h.base_version from dx.ingestion_runs r left join dx.held_runs h on h.run_id = r.id
        where r.id = $1 and r.dataset_id = $2
        for update of r
        """;

    const string RunCountsSql = """
        select read_count, valid_count, rejected_count, duplicate_count, inserted_count, updated_count, deleted_count, unchanged_count, kept_count
        from dx.ingestion_runs where id = $1
        """;

    // The held changes back in the shape the publish reads: stage (I and U rows) and diff (every op).
    const string DropTempSql = "drop table if exists pg_temp.stage, pg_temp.dups, pg_temp.diff";

    const string RestoreStageSql = """
        create temp table stage on commit drop as
            select line, key, hash, data, false as del, true as checked, raw_hash as raw from dx.held_changes where run_id = $1 and op in ('I', 'U')
        """;

    const string RestoreDiffSql = """
        create temp table diff on commit drop as
            select line, key, op::text as op, false as unverified, null::tid as rid from dx.held_changes where run_id = $1
        """;

    const string DeleteHeldChangesSql = "delete from dx.held_changes where run_id = $1";

    const string DeleteHeldRunSql = "delete from dx.held_runs where run_id = $1";

    /// <summary>
    /// Publishes held run <paramref name="runId"/> exactly as it was staged, inside the caller's
    /// transaction and through the run's own publish path; deletes its held rows. Refuses (409) a run
    /// that is not held, a dataset whose run is in progress, and a dataset that published another
    /// version since the run was held (its diff no longer describes the change). Returns the version.
    /// </summary>
    internal async Task<(int Version, int BaseVersion, RunCounts Counts)> ReleaseHeldAsync(NpgsqlConnection conn, string datasetId, long runId, Caller actor,
        CancellationToken cancellationToken)
    {
        // The transaction-scoped form of the runner's session lock: a run of this dataset computing its
        // diff now would otherwise publish after this release, against a version it never saw.
        if (!await DatasetLock.TryLockTransactionAsync(conn, datasetId, cancellationToken))
            throw new ConflictException("dataset-busy", "A run of this dataset is in progress; release the held run once it has finished.");
        var baseVersion = await RequireHeldAsync(conn, datasetId, runId, cancellationToken);
        var (current, _) = await RunHold.PublishedStateAsync(conn, datasetId, cancellationToken);
        if (current != baseVersion)
            throw new ConflictException("dataset-changed",
                $"Run {runId} was held against version {baseVersion}, but version {current} has been published since, so its changes are stale. Discard it and run the feed again.");

        var run = (await RunLedger.LoadRunAsync(conn, runId, cancellationToken))!;
        RunCounts counts;
        await using (var cmd = Db.Command(conn, RunCountsSql, runId))
        await using (var r = await cmd.ExecuteReaderAsync(cancellationToken))
        {
            await r.ReadAsync(cancellationToken);
            counts = new RunCounts(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3), r.GetInt64(4), r.GetInt64(5), r.GetInt64(6), r.GetInt64(7), r.GetInt64(8));
        }
        await using (var cmd = Db.Command(conn, DropTempSql)) await cmd.ExecuteNonQueryAsync(cancellationToken);
        await using (var cmd = Long(Db.Command(conn, RestoreStageSql, runId))) await cmd.ExecuteNonQueryAsync(cancellationToken);
        await using (var cmd = Long(Db.Command(conn, RestoreDiffSql, runId))) await cmd.ExecuteNonQueryAsync(cancellationToken);
        await using (var cmd = Long(Db.Command(conn, "analyze pg_temp.stage; analyze pg_temp.diff"))) await cmd.ExecuteNonQueryAsync(cancellationToken);
        var version = await publisher.PublishAsync(conn, run, counts, actor, cancellationToken);
        await DeleteHeldAsync(conn, runId, cancellationToken);
        ledger.Finished(runId, datasetId, RunStatus.Succeeded, $"released by {actor.ClientId}: published version {version}");
        return (version, baseVersion, counts);
    }

    /// <summary>Locks run <paramref name="runId"/> of <paramref name="datasetId"/> and returns its base version; 404 if absent, 409 unless held.</summary>
    internal static async Task<int> RequireHeldAsync(NpgsqlConnection conn, string datasetId, long runId, CancellationToken cancellationToken)
    {
        await using var cmd = Db.Command(conn, HeldRunSql, runId, datasetId);
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        if (!await r.ReadAsync(cancellationToken)) throw new NotFoundException($"Run {runId} of '{datasetId}' does not exist.");
        var status = r.GetString(0);
        if (status != RunStatus.Held.Name() || r.IsDBNull(1))
            throw new ConflictException("run-not-held", $"Run {runId} is {status}; only a held run can be released or discarded.");
        return r.GetInt32(1);
    }

    /// <summary>Deletes the held changes of <paramref name="runId"/> (released or discarded).</summary>
    internal static async Task DeleteHeldAsync(NpgsqlConnection conn, long runId, CancellationToken cancellationToken)
    {
        await using (var cmd = Long(Db.Command(conn, DeleteHeldChangesSql, runId))) await cmd.ExecuteNonQueryAsync(cancellationToken);
        await using (var cmd = Db.Command(conn, DeleteHeldRunSql, runId)) await cmd.ExecuteNonQueryAsync(cancellationToken);
    }
}
