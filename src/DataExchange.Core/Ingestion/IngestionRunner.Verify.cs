using System.Runtime.CompilerServices;
using DataExchange.Core.Common;
using DataExchange.Core.Datasets.Schemas;
using DataExchange.Core.Feeds;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace DataExchange.Core.Ingestion;

public sealed partial class IngestionRunner
{
    const string UnverifiedSql = "select line from diff where unverified";

    const string QuarantineVerifiedSql = """
        insert into dx.rejected_records (run_id, line, raw, errors, schema_version, key)
        select $1, unnest($2::bigint[]), unnest($3::text[]), unnest($4::jsonb[]), $5, unnest($6::text[])
        """;

    /// <summary>
    /// Records that skipped the evaluator because their hash was probably published (see
    /// <see cref="PublishedHashes"/>) but that match no published record exactly are validated now:
    /// the payload is read again and only those lines are evaluated. The invalid ones leave the stage
    /// and the diff for the quarantine. Usually there are none (the filter's false positives, 0.05%
    /// of new or changed records), and the payload is not read again.
    /// </summary>
    async Task<RunCounts> VerifySkippedAsync(NpgsqlConnection conn, RunRow run, FeedDefinition feed, string path, DatasetSchema schema,
        IReadOnlyList<string> keyFields, RunCounts counts, CancellationToken cancellationToken)
    {
        var lines = new HashSet<long>();
        await using (var cmd = Db.Command(conn, UnverifiedSql))
        await using (var r = await cmd.ExecuteReaderAsync(cancellationToken))
            while (await r.ReadAsync(cancellationToken)) lines.Add(r.GetInt64(0));
        if (lines.Count == 0) return counts;

        var validator = new RecordValidator(schema, keyFields, feed.CaseInsensitiveKeys == true, feed.Mode == "incremental" ? feed.DeleteMarker : null)
            { PatternBudget = options.Value.PatternBudget };
        var header = new StrongBox<string[]>([]);
        List<long> rejectedLines = [];
        List<string> raws = [], errors = [];
        List<string?> keys = [];
        await foreach (var record in PayloadReader.ReadAsync(path, feed, options.Value, header, cancellationToken))
        {
            if (!lines.Contains(record.Line) || validator.Process(record, header.Value!).Quarantined is not { } q) continue;
            rejectedLines.Add(q.Line);
            raws.Add(q.StoredRaw);
            errors.Add(q.StoredErrors);
            keys.Add(q.StoredKey);
        }
        LogVerified(logger, run.Id, lines.Count, rejectedLines.Count);
        if (rejectedLines.Count == 0) return counts;

        var ids = rejectedLines.ToArray();
        await using (var cmd = Db.Command(conn, QuarantineVerifiedSql, run.Id, ids, raws.ToArray(), errors.ToArray(), run.SchemaVersion, keys.ToArray()))
        {
            cmd.Parameters[3].NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Jsonb;
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        }
        await using (var cmd = Db.Command(conn, "delete from stage where line = any($1)", ids)) await cmd.ExecuteNonQueryAsync(cancellationToken);
        // A line with a published key (U or =) leaves the diff and its published record stays as it was: kept.
        long kept;
        await using (var cmd = Db.Command(conn, "with gone as (delete from diff where line = any($1) returning op) select count(*) from gone where op <> 'I'", ids))
            kept = (long)(await cmd.ExecuteScalarAsync(cancellationToken))!;
        return counts with { Valid = counts.Valid - ids.Length, Rejected = counts.Rejected + ids.Length, Kept = counts.Kept + kept };
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Run {RunId} validated {Count} records that had skipped evaluation on a probable hash match; {Rejected} were invalid")]
    static partial void LogVerified(ILogger logger, long runId, int count, int rejected);
}
