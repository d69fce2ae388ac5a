using System.Globalization;
using DataExchange.Core.Common;
using DataExchange.Core.Feeds;
using Npgsql;
using static DataExchange.Core.Ingestion.RunSql;

namespace DataExchange.Core.Ingestion;

/// <summary>
/// Whether a run's deletions must wait for a steward, and the keeping of such a run: its changes stay in
/// <c>dx.held_changes</c> against the version they were computed on until released or discarded (<see cref="HeldRunService"/>).
/// </summary>
public sealed class RunHold(RunLedger ledger, TimeProvider time)
{
    const string PublishedStateSql = """
        select coalesce(max(version), 0),
               coalesce((select row_count from dx.dataset_versions where dataset_id = $1 order by version desc limit 1), 0)
        from dx.dataset_versions where dataset_id = $1
        """;

    const string UnkeyedRejectsSql = "select count(*) from dx.rejected_records where run_id = $1 and key is null";

    const string InsertHeldRunSql = "insert into dx.held_runs (run_id, dataset_id, base_version, reason, held_at) values ($1, $2, $3, $4, $5)";

    // The changes exactly as staged (I and U with their hash and text, D by key), so that release
    // publishes what the steward saw counted; K and = rows change nothing and are left out.
    const string InsertHeldChangesSql = """
        insert into dx.held_changes (run_id, line, key, op, hash, data, raw_hash)
        select $1, d.line, d.key, d.op, s.hash, s.data, s.raw
        from diff d left join stage s on s.line = d.line and d.op in ('I', 'U')
        where d.op in ('I', 'U', 'D')
        """;

    /// <summary>The dataset's latest version (0 when none) and its row count.</summary>
    internal static async Task<(int Version, long Rows)> PublishedStateAsync(NpgsqlConnection conn, string datasetId, CancellationToken cancellationToken)
    {
        await using var cmd = Db.Command(conn, PublishedStateSql, datasetId);
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        await r.ReadAsync(cancellationToken);
        return (r.GetInt32(0), r.GetInt64(1));
    }

    /// <summary>
    /// Why the run's deletions must wait for a steward, or null to publish. A first load (no published
    /// rows) is never held. The shrink of the dataset is inserted − deleted ≥ −deleted, so a run within
    /// the share of deletions is also within it for the shrink; one test covers both.
    /// </summary>
    internal static async Task<string?> HoldReasonAsync(NpgsqlConnection conn, RunRow run, FeedDefinition feed, RunCounts counts, long publishedRows, CancellationToken cancellationToken)
    {
        if (publishedRows == 0 || counts.Deleted == 0) return null;
        if (feed.Mode == "snapshot")
        {
            // A rejected row whose key could not be read may be the row of any key this snapshot deletes.
            await using var cmd = Db.Command(conn, UnkeyedRejectsSql, run.Id);
            var unkeyed = (long)(await cmd.ExecuteScalarAsync(cancellationToken))!;
            if (unkeyed > 0)
                return string.Create(CultureInfo.InvariantCulture,
                    $"{unkeyed} rejected rows had no readable key, so the {counts.Deleted} deletions cannot be proven deliberate (a rejected row never deletes its record). A steward must release or discard this run.");
        }
        var share = feed.MaxDeleteShare ?? FeedDefinition.DefaultMaxDeleteShare;
        if (counts.Deleted <= share * publishedRows) return null;
        return string.Create(CultureInfo.InvariantCulture,
            $"The run would delete {counts.Deleted} of {publishedRows} published records ({(double)counts.Deleted / publishedRows:P1}), above the feed's maxDeleteShare of {share:P0}. A steward must release or discard this run.");
    }

    /// <summary>Ends the run 'held': its diff and staged rows are kept in dx.held_changes against the current version; nothing is published.</summary>
    internal async Task HoldAsync(NpgsqlConnection conn, RunRow run, RunCounts counts, int baseVersion, string reason, CancellationToken cancellationToken)
    {
        await using var tx = await conn.BeginTransactionAsync(cancellationToken);
        await using (var cmd = Db.Command(conn, InsertHeldRunSql, run.Id, run.DatasetId, baseVersion, reason, time.GetUtcNow())) await cmd.ExecuteNonQueryAsync(cancellationToken);
        await using (var cmd = Long(Db.Command(conn, InsertHeldChangesSql, run.Id))) await cmd.ExecuteNonQueryAsync(cancellationToken);
        await ledger.UpdateRunAsync(conn, run.Id, RunStatus.Held, reason, counts, null, cancellationToken);
        await ledger.AuditFinishedAsync(conn, run, RunStatus.Held, reason, counts, null, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        ledger.Finished(run.Id, run.DatasetId, RunStatus.Held, reason);
    }

    // A run still held for the same bytes under the same schema, computed against the version that is
    // still the latest: this payload would be held again with the same diff. Once another version is
    // published the held run cannot be released (its diff is stale), so the payload is read afresh.
    const string HeldSamePayloadSql = """
        select h.run_id from dx.held_runs h join dx.ingestion_runs r on r.id = h.run_id
        where h.dataset_id = $1 and r.status = 'held' and r.payload_sha256 = $2 and r.schema_version = $3
          and h.base_version = (select coalesce(max(version), 0) from dx.dataset_versions where dataset_id = $1)
        order by h.run_id desc limit 1
        """;

    /// <summary>The held run this payload would repeat, if any (see <see cref="HeldSamePayloadSql"/>).</summary>
    internal static async Task<long?> HeldWithSamePayloadAsync(NpgsqlConnection conn, RunRow run, string sha256, CancellationToken cancellationToken)
    {
        await using var cmd = Db.Command(conn, HeldSamePayloadSql, run.DatasetId, sha256, run.SchemaVersion);
        return await cmd.ExecuteScalarAsync(cancellationToken) as long?;
    }
}
