using DataExchange.Core.Common;
using Npgsql;
using static DataExchange.Core.Ingestion.RunSql;

namespace DataExchange.Core.Ingestion;

/// <summary>
/// Keys a payload carries more than once: identical copies are counted and dropped, conflicting ones
/// quarantined (or, with the feed's onConflict last-wins, resolved to the last copy).
/// </summary>
public sealed class StageDeduplicator(SkippedVerifier verifier, KnownRows known)
{
    // Keys seen more than once in the payload. Every repeated key has a copy staged with dup set (see
    // KeyFilter), so only the keys of those rows are grouped (a few per cent of the stage) instead of a
    // hash aggregate over every key (1.1 s for 200k rows on the 2-core machine); a key flagged by a false
    // positive of the filter appears once and is left out by the having. Copies with one source row hash are
    // the same bytes read the same way, so the same record: identical, whether or not their content hash is
    // known yet (a copy staged by its row hash alone has none). Only the copies of a key that differ in their
    // bytes and include such a copy need their content hash before they can be compared (unhashed; KnownRows).
    const string FindDuplicatesSql = """
        create temp table dups as
            select s.key, count(*) as n,
                   (count(distinct s.raw) > 1 or bool_or(s.raw is null)) and count(distinct s.hash) > 1 as conflicting,
                   (count(distinct s.raw) > 1 or bool_or(s.raw is null)) and bool_or(s.hash is null) as unhashed,
                   min(s.line) as first_line, max(s.line) as last_line
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

    // Copies of a conflicting key staged without their body (their content was probably published).
    const string ConflictingWithoutBodySql = "select s.line from stage s join dups d on d.key = s.key where d.conflicting and s.data is null";

    const string UnhashedSql = "select exists (select 1 from dups where unhashed)";

    /// <summary>
    /// Drops the repeated copies of keys from the stage, identical ones counted as duplicates and conflicting ones quarantined
    /// (or resolved to the last copy); copies staged by their row hash alone that differ from another copy get their content hash
    /// first (<see cref="KnownRows.ResolveRepeatedAsync"/>). Returns the counts.
    /// </summary>
    internal async Task<RunCounts> DeduplicateAsync(NpgsqlConnection conn, RunRow run, RunPayload payload, StageOutcome stage, CancellationToken cancellationToken)
    {
        var counts = stage.Counts;
        if (stage.MaybeDuplicates == 0) return counts;
        var feed = payload.Feed;
        await FindAsync(conn, cancellationToken);
        if (stage.Known > 0 && await UnhashedAsync(conn, cancellationToken))
        {
            // Rare (a known row and a differing copy of its key in one payload): hash those copies, then group again,
            // since the invalid ones have left the stage.
            counts = await known.ResolveRepeatedAsync(conn, run, payload, counts, cancellationToken);
            await using (var drop = new NpgsqlCommand("drop table pg_temp.dups", conn)) await drop.ExecuteNonQueryAsync(cancellationToken);
            await FindAsync(conn, cancellationToken);
        }
        long conflictingRows, identicalExtra, conflictingExtra;
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
            if (lines.Count > 0) await verifier.BodiesAsync(conn, payload, lines, q => q.StoredRaw, cancellationToken);
            await using var q = Long(Db.Command(conn, QuarantineConflictsSql, run.Id, run.SchemaVersion));
            await q.ExecuteNonQueryAsync(cancellationToken);
        }
        await using (var del = Long(Db.Command(conn, DropDuplicatesSql, lastWins))) await del.ExecuteNonQueryAsync(cancellationToken);
        return lastWins
            ? counts with { Duplicate = identicalExtra + conflictingExtra }
            : counts with { Duplicate = identicalExtra, Rejected = counts.Rejected + conflictingRows };
    }

    // Analysed: without statistics the planner took dups for the larger side and hashed the whole stage to drop the copies (0.56 against 0.27 CPU-s at 1M rows).
    static async Task FindAsync(NpgsqlConnection conn, CancellationToken cancellationToken)
    {
        await using (var cmd = Long(new NpgsqlCommand(FindDuplicatesSql, conn))) await cmd.ExecuteNonQueryAsync(cancellationToken);
        await using (var analyze = Long(new NpgsqlCommand("analyze pg_temp.dups", conn))) await analyze.ExecuteNonQueryAsync(cancellationToken);
    }

    static async Task<bool> UnhashedAsync(NpgsqlConnection conn, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand(UnhashedSql, conn);
        return (bool)(await cmd.ExecuteScalarAsync(cancellationToken))!;
    }
}
