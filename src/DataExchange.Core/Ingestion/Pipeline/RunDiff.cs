using DataExchange.Core.Common;
using Npgsql;
using static DataExchange.Core.Ingestion.RunSql;

namespace DataExchange.Core.Ingestion;

/// <summary>
/// The stage against the published version: on a first load, counts from the stage alone; otherwise the
/// temp table <c>diff</c> of inserts, updates, deletes and kept records, with skipped records verified.
/// </summary>
public sealed class RunDiff(SkippedVerifier verifier)
{
    // One pass over the payload and the published version (a hash full join; the merge never rewrites
    // an unchanged row: 1M rows with 2% changed, 3.2 s versus 20.6 s for a full upsert). op: I new key,
    // U changed content, D deleted (snapshot: a published key missing from the payload; incremental:
    // a published key whose record carried the delete marker), K kept (snapshot: a published key missing
    // from the stage because this run rejected its row: a rejected row never deletes its record, issue 12),
    // = unchanged but kept for verification, ? staged by its source row hash alone (KnownRows) but not exactly its
    // current record's row: validated after the diff. A row that is exactly its record's source row is unchanged
    // (the exact check in this one join over the current records, not a pass of its own).
    // unverified: the record skipped the evaluator on its hash, yet is not exactly a published record.
    // The rejected keys are not joined here (every one of the million rows probed that hash in the join filter,
    // for the few missing ones): MarkKeptSql turns the deletions of rejected keys into K afterwards.
    // rid: the current record's row id (ctid) as this join read it, for a change or a delete: the publish closes those rows by
    // it (RunPublisher.CloseByRowIdSql) instead of a second join over the dataset's current rows.
    static string Diff(string current) => $"""
        create temp table diff as
            select line, key, op, unverified, case when op in ('U', 'D') then rid end as rid from (
                select s.line, coalesce(s.key, r.key) as key, r.ctid as rid,
                       case when s.key is null or s.del then 'D'
                            when s.hash is null then case when r.raw_hash = s.raw and r.schema_version = $3 then '=' else '?' end
                            when r.key is null then 'I' when r.hash <> s.hash then 'U' else '=' end as op,
                       coalesce(not s.checked and (r.key is null or r.hash <> s.hash or r.schema_version <> $3), false) as unverified,
                       s.key is null as missing, s.del, r.key is not null as published
                from stage s
                full join {current} r on r.key = s.key
            ) d
            where (missing and $2) or (del and published) or (not missing and not del and op <> '=') or unverified
        """;

    static readonly string DiffSql = Diff("(select key, hash, schema_version, raw_hash, ctid from dx.records where dataset_id = $1 and valid_to is null)");

    // The proven diff (ProvenDiff): the current records of the remaining stage's keys and of the rejected keys, read by key into
    // cur, stand for the dataset's current records; the proof showed that every other one is exactly a row staged by its row hash.

    static readonly string ProvenDiffSql = Diff("(select key, hash, schema_version, raw_hash, rid as ctid from cur where $1::text is not null)");

    // Snapshot: a published key missing from the stage (line null) because this run rejected its row is kept, not deleted
    // (issue 12). The rejected keys are read as a set (a few per run; 5% of 1M is 50k rows, one hash join with the deletions).
    const string MarkKeptSql = """
        update diff set op = 'K'
        where op = 'D' and line is null
          and key in (select key collate "C" from dx.rejected_records where run_id = $1 and key is not null)
        """;

    const string CountChangesSql = """
        select count(*) filter (where op = 'I'), count(*) filter (where op = 'U'), count(*) filter (where op = 'D'), (select count(*) from stage where not del) + $1,
               count(*) filter (where op = 'K')
        from diff
        """;

    internal const string NoCurrentRowsSql = "select not exists (select 1 from dx.records where dataset_id = $1 and valid_to is null)";

    const string FirstLoadCountsSql = "select count(*) from stage where not del";

    /// <summary>
    /// Whether the run is a first load: the dataset has no current rows (its first version, or after
    /// everything was deleted) and no record skipped the evaluator. Then every staged record is an insert,
    /// nothing is deleted, kept or held, and the diff is not built (<see cref="FirstLoadAsync"/>).
    /// </summary>
    internal static async Task<bool> IsFirstLoadAsync(NpgsqlConnection conn, RunRow run, StageOutcome stage, CancellationToken cancellationToken)
    {
        if (stage.Skipped > 0 || stage.Known > 0) return false;
        await using var cmd = Db.Command(conn, NoCurrentRowsSql, run.DatasetId);
        return (bool)(await cmd.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>
    /// A first load's counts, from the stage: its records that are not deletes are inserted, and
    /// <paramref name="unstaged"/> more (a direct first load's records in dx.records without a stage row).
    /// </summary>
    internal static async Task<RunCounts> FirstLoadAsync(NpgsqlConnection conn, RunCounts counts, long unstaged, CancellationToken cancellationToken)
    {
        await using var cmd = Long(Db.Command(conn, FirstLoadCountsSql));
        var inserted = (long)(await cmd.ExecuteScalarAsync(cancellationToken))! + unstaged;
        return counts with { Inserted = inserted, Updated = 0, Deleted = 0, Unchanged = 0 };
    }

    /// <summary>The published version's differences from the payload, in the temp table <c>diff</c>; skipped records verified, known rows resolved.</summary>
    internal async Task<RunCounts> DiffAsync(NpgsqlConnection conn, RunRow run, RunPayload payload, RunCounts counts, bool proven, CancellationToken cancellationToken)
    {
        var feed = payload.Feed;
        var snapshot = feed.Mode == "snapshot";
        await using (var cmd = Long(Db.Command(conn, proven ? ProvenDiffSql : DiffSql, run.DatasetId, snapshot, run.SchemaVersion))) await cmd.ExecuteNonQueryAsync(cancellationToken);
        if (snapshot)
            await using (var cmd = Long(Db.Command(conn, MarkKeptSql, run.Id))) await cmd.ExecuteNonQueryAsync(cancellationToken);
        return await verifier.VerifyAsync(conn, run, payload, counts, cancellationToken);
    }

    /// <summary>
    /// The counts of the diff's changes. Unchanged: the staged records neither inserted nor updated, plus <paramref name="counts"/>' own
    /// (the rows a proven diff took out of the stage as unchanged, <see cref="ProvenDiff"/>; 0 otherwise).
    /// </summary>
    internal static async Task<RunCounts> CountChangesAsync(NpgsqlConnection conn, RunCounts counts, CancellationToken cancellationToken)
    {
        await using var cmd = Long(Db.Command(conn, CountChangesSql, counts.Unchanged));
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        await r.ReadAsync(cancellationToken);
        var (inserted, updated, deleted, staged) = (r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3));
        return counts with { Inserted = inserted, Updated = updated, Deleted = deleted, Unchanged = staged - inserted - updated, Kept = counts.Kept + r.GetInt64(4) };
    }
}
