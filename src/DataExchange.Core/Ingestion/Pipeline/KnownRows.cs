using DataExchange.Core.Common;
using Microsoft.Extensions.Options;
using Npgsql;
using static DataExchange.Core.Ingestion.RunSql;

namespace DataExchange.Core.Ingestion;

/// <summary>
/// Checks the rows staged by their key and source row hash alone (<see cref="SourceRowHash"/>, content hash null):
/// a row whose hash is exactly that of the current record of its key, under the run's schema version, is that
/// record (the same bytes read the same way give the same record, valid when it was published under this schema
/// version). The check is part of the diff's one join over the current records (<see cref="RunDiff"/>), which
/// marks the rest, the filter's false positives, <c>?</c>; those are read again from the payload and validated in
/// full (<see cref="SkippedVerifier"/> reads them, <see cref="ResolveAsync"/> applies them): the valid get their hash, body and change, the invalid go to the quarantine.
/// Copies of a repeated key that differ in their bytes are checked during the de-duplication, which compares their content hashes.
/// </summary>
public sealed class KnownRows(IOptions<IngestionOptions> options)
{
    // A known copy of a repeated key whose copies differ in their bytes (dups.unhashed, StageDeduplicator) takes its
    // record's content hash when it is exactly that record's source row (one index lookup per such copy: rare);
    // the others stay null and are validated.
    const string RepeatedHashesSql = """
        update stage s set hash = (select r.hash from dx.records r
                                   where r.dataset_id = $1 and r.key = s.key and r.valid_to is null and r.schema_version = $2 and r.raw_hash = s.raw)
        where s.hash is null and s.key in (select key from dups where unhashed)
        """;

    const string UnresolvedRepeatedSql = "select line from stage where hash is null and key in (select key from dups where unhashed)";

    // The change of a row the diff could not resolve by its source row hash, now that it has its content hash.
    // rid: the current record's row id, by which the publish closes it (RunDiff's rid); subqueries per key, not a lateral join
    // (with nested loops off its penalty pushed the cost past jit_optimize_above_cost, see DropSql).
    const string ChangeSql = """
        update diff d set op = case when x.del then case when x.published is null then '=' else 'D' end
                                    when x.published is null then 'I' when x.published <> x.hash then 'U' else '=' end,
                          rid = x.rid
        from (select s.line, s.del, s.hash,
                     (select r.hash from dx.records r where r.dataset_id = $1 and r.key = s.key and r.valid_to is null) as published,
                     (select r.ctid from dx.records r where r.dataset_id = $1 and r.key = s.key and r.valid_to is null) as rid
              from stage s where s.line = any($2)) x
        where d.line = x.line
        """;

    // The key read for the row is the key its record has (the same rules), so its dup flag stands.
    const string FillSql = """
        update stage s set hash = b.hash, data = b.data, del = b.del
        from unnest($1::bigint[], $2::bytea[], $3::text[], $4::boolean[]) as b (line, hash, data, del) where s.line = b.line
        """;

    const string QuarantineSql = """
        insert into dx.rejected_records (run_id, line, raw, errors, schema_version, key)
        select $1, unnest($2::bigint[]), unnest($3::text[]), unnest($4::jsonb[]), $5, unnest($6::text[])
        """;

    // An invalid row leaves the stage and, once it is built, the diff, where in a snapshot its key's current record is
    // kept (a rejected row never deletes it; before the diff, the diff itself finds its key among the rejected).
    const string DropStagedSql = "delete from stage where line = any($1)";

    // The current record of each dropped key is looked up by key (a subquery per key, so never a join: with nested loops off and
    // stale statistics on dx.records an exists became a hash join over all the dataset's current rows, 1.2 s for 6 keys at 1M rows).
    const string DropSql = """
        with gone as (delete from stage where line = any($1) returning key), dropped as (delete from diff where line = any($1))
        select count(*) from gone g
        where $2 and (select true from dx.records r where r.dataset_id = $3 and r.key = g.key and r.valid_to is null limit 1)
        """;

    /// <summary>
    /// During the de-duplication: the known copies of repeated keys whose copies differ (<c>dups.unhashed</c>) get their
    /// record's content hash, or are validated in full; returns the counts with the invalid ones moved to rejected.
    /// </summary>
    internal async Task<RunCounts> ResolveRepeatedAsync(NpgsqlConnection conn, RunRow run, RunPayload payload, RunCounts counts, CancellationToken cancellationToken)
    {
        await using (var cmd = Long(Db.Command(conn, RepeatedHashesSql, run.DatasetId, run.SchemaVersion))) await cmd.ExecuteNonQueryAsync(cancellationToken);
        var lines = new HashSet<long>();
        await using (var cmd = Long(Db.Command(conn, UnresolvedRepeatedSql)))
        await using (var r = await cmd.ExecuteReaderAsync(cancellationToken))
            while (await r.ReadAsync(cancellationToken)) lines.Add(r.GetInt64(0));
        if (lines.Count == 0) return counts;
        var evaluated = await PayloadRecheck.EvaluateAsync(payload, options.Value, lines, cancellationToken);
        var (_, rejected) = await StageAsync(conn, run, payload.Feed, [.. evaluated.Values], diffed: false, cancellationToken);
        return counts with { Valid = counts.Valid - rejected, Rejected = counts.Rejected + rejected };
    }

    /// <summary>
    /// After the diff: the rows it marked <c>?</c>, <paramref name="evaluated"/> in full, get their change; returns the counts with
    /// the invalid ones moved to rejected (and kept, in a snapshot, where their key has a current record).
    /// </summary>
    internal async Task<RunCounts> ResolveAsync(NpgsqlConnection conn, RunRow run, RunPayload payload, List<(StagedRecord? Staged, QuarantinedRecord? Quarantined)> evaluated,
        RunCounts counts, CancellationToken cancellationToken)
    {
        var (kept, rejected) = await StageAsync(conn, run, payload.Feed, evaluated, diffed: true, cancellationToken);
        var lines = evaluated.Where(e => e.Staged is not null).Select(e => e.Staged!.Value.Line).ToArray();
        if (lines.Length > 0) await using (var cmd = Db.Command(conn, ChangeSql, run.DatasetId, lines)) await cmd.ExecuteNonQueryAsync(cancellationToken);
        return counts with { Valid = counts.Valid - rejected, Rejected = counts.Rejected + rejected, Kept = counts.Kept + kept };
    }

    /// <summary>Puts rows validated in full into the stage or the quarantine; returns how many records were kept and how many rows were invalid.</summary>
    static async Task<(long Kept, int Rejected)> StageAsync(NpgsqlConnection conn, RunRow run, Feeds.FeedDefinition feed,
        List<(StagedRecord? Staged, QuarantinedRecord? Quarantined)> evaluated, bool diffed, CancellationToken cancellationToken)
    {
        var valid = evaluated.Where(e => e.Staged is not null).Select(e => e.Staged!.Value).ToList();
        var invalid = evaluated.Where(e => e.Staged is null).Select(e => e.Quarantined!.Value).ToList();
        if (valid.Count > 0)
            await using (var cmd = Long(Db.Command(conn, FillSql, valid.Select(s => s.Line).ToArray(), valid.Select(s => s.Hash).ToArray(),
                valid.Select(s => s.Data).ToArray(), valid.Select(s => s.Delete).ToArray())))
                await cmd.ExecuteNonQueryAsync(cancellationToken);
        if (invalid.Count == 0) return (0, 0);
        var ids = invalid.Select(q => q.Line).ToArray();
        await using (var cmd = Db.Command(conn, QuarantineSql, run.Id, ids, invalid.Select(q => q.StoredRaw).ToArray(), Db.JsonbArray([.. invalid.Select(q => q.StoredErrors)]),
            run.SchemaVersion, invalid.Select(q => q.StoredKey).ToArray()))
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        await using var drop = diffed ? Db.Command(conn, DropSql, ids, feed.Mode == "snapshot", run.DatasetId) : Db.Command(conn, DropStagedSql, ids);
        return ((long?)await drop.ExecuteScalarAsync(cancellationToken) ?? 0, invalid.Count);
    }
}
