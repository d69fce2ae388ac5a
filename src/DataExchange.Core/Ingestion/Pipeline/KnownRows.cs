using System.Runtime.CompilerServices;
using DataExchange.Core.Common;
using Microsoft.Extensions.Options;
using Npgsql;
using static DataExchange.Core.Ingestion.RunSql;

namespace DataExchange.Core.Ingestion;

/// <summary>
/// Checks the rows staged by their key and source row hash alone (<see cref="SourceRowHash"/>, content hash null):
/// a row whose hash is exactly that of the current record of its key, under the run's schema version, is that
/// record (the same bytes read the same way give the same record, valid when it was published under this schema
/// version), and the diff finds it unchanged. The rest, the filter's false positives, are read again from the
/// payload and validated in full: the valid get their hash and body, the invalid go to the quarantine.
/// </summary>
public sealed class KnownRows(IOptions<IngestionOptions> options)
{
    // An exact match on the full SHA-256, against the current record of the key only: a row whose record was
    // deleted since, changed, or published under another schema version is validated. Read-only: one hash join.
    const string UnresolvedSql = """
        select s.line from stage s
        left join (select key, raw_hash from dx.records where dataset_id = $1 and valid_to is null and schema_version = $2) r on r.key = s.key
        where s.hash is null and r.raw_hash is distinct from s.raw
        """;

    // The de-duplication compares the content hashes of a repeated key's copies: a known row's is its record's.
    const string RepeatedHashesSql = """
        update stage s set hash = (select r.hash from dx.records r where r.dataset_id = $1 and r.key = s.key and r.valid_to is null)
        where s.hash is null and s.key in (select key from stage where dup)
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

    /// <summary>Checks every row staged by its hash; returns the counts with the invalid ones moved to rejected.</summary>
    internal async Task<RunCounts> ResolveAsync(NpgsqlConnection conn, RunRow run, RunPayload payload, StageOutcome stage, CancellationToken cancellationToken)
    {
        var counts = stage.Counts;
        if (stage.Known == 0) return counts;
        // Without statistics the planner takes the fresh stage for a few rows.
        await using (var cmd = Long(Db.Command(conn, "analyze pg_temp.stage"))) await cmd.ExecuteNonQueryAsync(cancellationToken);
        var lines = new HashSet<long>();
        await using (var cmd = Long(Db.Command(conn, UnresolvedSql, run.DatasetId, run.SchemaVersion)))
        await using (var r = await cmd.ExecuteReaderAsync(cancellationToken))
            while (await r.ReadAsync(cancellationToken)) lines.Add(r.GetInt64(0));
        var rejected = lines.Count == 0 ? 0 : await ValidateAsync(conn, run, payload, lines, cancellationToken);
        if (stage.MaybeDuplicates > 0)
            await using (var cmd = Long(Db.Command(conn, RepeatedHashesSql, run.DatasetId))) await cmd.ExecuteNonQueryAsync(cancellationToken);
        return counts with { Valid = counts.Valid - rejected, Rejected = counts.Rejected + rejected };
    }

    /// <summary>Reads <paramref name="lines"/> again and validates them in full into the stage or the quarantine; returns how many were invalid.</summary>
    async Task<int> ValidateAsync(NpgsqlConnection conn, RunRow run, RunPayload payload, HashSet<long> lines, CancellationToken cancellationToken)
    {
        var feed = payload.Feed;
        var validator = new RecordValidator(payload.Schema, payload.KeyFields, feed.CaseInsensitiveKeys == true, feed.Mode == "incremental" ? feed.DeleteMarker : null)
        { PatternBudget = options.Value.PatternBudget };
        var header = new StrongBox<string[]>([]);
        List<StagedRecord> valid = [];
        List<QuarantinedRecord> invalid = [];
        await foreach (var record in PayloadReader.ReadAsync(payload.Path, feed, options.Value, header, cancellationToken))
        {
            if (!lines.Remove(record.Line)) continue;
            var (staged, quarantined) = validator.Process(record, header.Value!);
            if (staged is { } s) valid.Add(s);
            else invalid.Add(quarantined!.Value);
        }
        // The payload is the one just staged, read the same way: a line it no longer has would be a record lost.
        if (lines.Count > 0) throw new InvalidOperationException($"{lines.Count} staged rows were not found on reading the payload again.");
        if (valid.Count > 0)
            await using (var cmd = Long(Db.Command(conn, FillSql, valid.Select(s => s.Line).ToArray(), valid.Select(s => s.Hash).ToArray(),
                valid.Select(s => s.Data).ToArray(), valid.Select(s => s.Delete).ToArray())))
                await cmd.ExecuteNonQueryAsync(cancellationToken);
        if (invalid.Count == 0) return 0;
        var ids = invalid.Select(q => q.Line).ToArray();
        var errors = new NpgsqlParameter<string[]>
        {
            TypedValue = [.. invalid.Select(q => q.StoredErrors)], NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Jsonb
        };
        await using (var cmd = Db.Command(conn, QuarantineSql, run.Id, ids, invalid.Select(q => q.StoredRaw).ToArray(), errors, run.SchemaVersion,
            invalid.Select(q => q.StoredKey).ToArray()))
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        await using (var cmd = Db.Command(conn, "delete from stage where line = any($1)", ids)) await cmd.ExecuteNonQueryAsync(cancellationToken);
        return invalid.Count;
    }
}
