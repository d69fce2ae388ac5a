using System.Runtime.CompilerServices;
using DataExchange.Core.Common;
using DataExchange.Core.Datasets.Schemas;
using DataExchange.Core.Feeds;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using static DataExchange.Core.Ingestion.RunSql;

namespace DataExchange.Core.Ingestion;

/// <summary>
/// Validates again, from the payload, records staged without a full evaluation or without their body:
/// those that skipped the evaluator on a probable hash match (<see cref="VerifySkippedAsync"/>) and the
/// copies of a conflicting key that the quarantine needs in full (<see cref="BodiesAsync"/>).
/// </summary>
public sealed partial class SkippedVerifier(IOptions<IngestionOptions> options, ILogger<IngestionRunner> logger)
{
    const string UnverifiedSql = "select line from diff where unverified";

    const string QuarantineVerifiedSql = """
        insert into dx.rejected_records (run_id, line, raw, errors, schema_version, key)
        select $1, unnest($2::bigint[]), unnest($3::text[]), unnest($4::jsonb[]), $5, unnest($6::text[])
        """;

    const string FillBodiesSql = """
        update stage s set data = b.data, checked = true from unnest($1::bigint[], $2::text[]) as b (line, data) where s.line = b.line
        """;

    /// <summary>
    /// Records that skipped the evaluator because their hash was probably published (see
    /// <see cref="PublishedHashes"/>) but that match no published record exactly are validated now:
    /// the payload is read again and only those lines are evaluated. The invalid ones leave the stage
    /// and the diff for the quarantine; the valid ones get the body they were staged without. Usually
    /// there are none (the filter's false positives, 0.05% of new or changed records), and the payload
    /// is not read again.
    /// </summary>
    internal async Task<RunCounts> VerifySkippedAsync(NpgsqlConnection conn, RunRow run, RunPayload payload, RunCounts counts, CancellationToken cancellationToken)
    {
        var lines = new HashSet<long>();
        await using (var cmd = Db.Command(conn, UnverifiedSql))
        await using (var r = await cmd.ExecuteReaderAsync(cancellationToken))
            while (await r.ReadAsync(cancellationToken)) lines.Add(r.GetInt64(0));
        if (lines.Count == 0) return counts;

        List<long> rejectedLines = [];
        List<string> raws = [], errors = [];
        List<string?> keys = [];
        await BodiesAsync(conn, payload, lines, q =>
        {
            rejectedLines.Add(q.Line);
            raws.Add(q.StoredRaw);
            errors.Add(q.StoredErrors);
            keys.Add(q.StoredKey);
            return null;
        }, cancellationToken);
        LogVerified(logger, run.Id, lines.Count, rejectedLines.Count);
        if (rejectedLines.Count == 0) return counts;

        var ids = rejectedLines.ToArray();
        await using (var cmd = Db.Command(conn, QuarantineVerifiedSql, run.Id, ids, raws.ToArray(), Db.JsonbArray([.. errors]), run.SchemaVersion, keys.ToArray()))
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        await using (var cmd = Db.Command(conn, "delete from stage where line = any($1)", ids)) await cmd.ExecuteNonQueryAsync(cancellationToken);
        // A line with a published key (U or =) leaves the diff and its published record stays as it was: kept.
        long kept;
        await using (var cmd = Db.Command(conn, "with gone as (delete from diff where line = any($1) returning op) select count(*) from gone where op <> 'I'", ids))
            kept = (long)(await cmd.ExecuteScalarAsync(cancellationToken))!;
        return counts with { Valid = counts.Valid - ids.Length, Rejected = counts.Rejected + ids.Length, Kept = counts.Kept + kept };
    }

    /// <summary>
    /// Reads <paramref name="lines"/> of the payload again and evaluates them in full; the valid ones get their
    /// body in the stage, an invalid one the body <paramref name="invalid"/> answers (none when null). Returns how many bodies were filled.
    /// </summary>
    internal async Task<int> BodiesAsync(NpgsqlConnection conn, RunPayload payload, IReadOnlySet<long> lines, Func<QuarantinedRecord, string?> invalid,
        CancellationToken cancellationToken)
    {
        var validator = new RecordValidator(payload.Schema, payload.KeyFields, payload.Feed.CaseInsensitiveKeys == true,
            payload.Feed.Mode == "incremental" ? payload.Feed.DeleteMarker : null)
        { PatternBudget = options.Value.PatternBudget };
        var header = new StrongBox<string[]>([]);
        List<long> filled = [];
        List<string> bodies = [];
        await foreach (var record in PayloadReader.ReadAsync(payload.Path, payload.Feed, options.Value, header, cancellationToken))
        {
            if (!lines.Contains(record.Line)) continue;
            var (staged, quarantined) = validator.Process(record, header.Value!);
            if ((staged?.Data ?? invalid(quarantined!.Value)) is not { } body) continue;
            filled.Add(record.Line);
            bodies.Add(body);
        }
        if (filled.Count == 0) return 0;
        await using var cmd = Long(Db.Command(conn, FillBodiesSql, filled.ToArray(), bodies.ToArray()));
        return await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Run {RunId} validated {Count} records that had skipped evaluation on a probable hash match; {Rejected} were invalid")]
    static partial void LogVerified(ILogger logger, long runId, int count, int rejected);
}
