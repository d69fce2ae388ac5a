using DataExchange.Core.Common;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using static DataExchange.Core.Ingestion.RunSql;

namespace DataExchange.Core.Ingestion;

/// <summary>
/// Validates again, from the payload, records staged without a full evaluation or without their body:
/// those that skipped the evaluator on a probable hash match and the rows the diff could not resolve by their
/// source row hash (<see cref="VerifyAsync"/>, both in one read), and the copies of a conflicting key that the
/// quarantine needs in full (<see cref="BodiesAsync"/>).
/// </summary>
public sealed partial class SkippedVerifier(KnownRows known, IOptions<IngestionOptions> options, ILogger<IngestionRunner> logger)
{
    const string RecheckSql = "select line, op = '?' from diff where unverified or op = '?'";

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
    /// the invalid ones leave the stage and the diff for the quarantine; the valid ones get the body they
    /// were staged without. The rows the diff marked <c>?</c> are resolved by <see cref="KnownRows"/> from the
    /// same read. Usually there are none of either (the filters' false positives: at 1M rows about 5e-6 and 1e-8 of
    /// the rows they are asked about), and the payload is not read again.
    /// </summary>
    internal async Task<RunCounts> VerifyAsync(NpgsqlConnection conn, RunRow run, RunPayload payload, RunCounts counts, CancellationToken cancellationToken)
    {
        var (skipped, unresolved) = (new HashSet<long>(), new HashSet<long>());
        await using (var cmd = Long(Db.Command(conn, RecheckSql)))
        await using (var r = await cmd.ExecuteReaderAsync(cancellationToken))
            while (await r.ReadAsync(cancellationToken)) (r.GetBoolean(1) ? unresolved : skipped).Add(r.GetInt64(0));
        if (skipped.Count + unresolved.Count == 0) return counts;
        var evaluated = await PayloadRecheck.EvaluateAsync(payload, options.Value, new HashSet<long>(skipped.Concat(unresolved)), cancellationToken);
        if (skipped.Count > 0) counts = await VerifiedAsync(conn, run, [.. skipped.Select(l => evaluated[l])], counts, cancellationToken);
        if (unresolved.Count > 0) counts = await known.ResolveAsync(conn, run, payload, [.. unresolved.Select(l => evaluated[l])], counts, cancellationToken);
        return counts;
    }

    async Task<RunCounts> VerifiedAsync(NpgsqlConnection conn, RunRow run, List<(StagedRecord? Staged, QuarantinedRecord? Quarantined)> evaluated, RunCounts counts,
        CancellationToken cancellationToken)
    {
        var rejected = evaluated.Where(e => e.Staged is null).Select(e => e.Quarantined!.Value).ToList();
        var bodies = evaluated.Where(e => e.Staged is not null).Select(e => e.Staged!.Value).ToList();
        LogVerified(logger, run.Id, evaluated.Count, rejected.Count);
        if (bodies.Count > 0) await FillAsync(conn, [.. bodies.Select(s => s.Line)], [.. bodies.Select(s => s.Data)], cancellationToken);
        if (rejected.Count == 0) return counts;

        var ids = rejected.Select(q => q.Line).ToArray();
        await using (var cmd = Db.Command(conn, QuarantineVerifiedSql, run.Id, ids, rejected.Select(q => q.StoredRaw).ToArray(),
            Db.JsonbArray([.. rejected.Select(q => q.StoredErrors)]), run.SchemaVersion, rejected.Select(q => q.StoredKey).ToArray()))
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
        List<long> filled = [];
        List<string> bodies = [];
        foreach (var (line, (staged, quarantined)) in await PayloadRecheck.EvaluateAsync(payload, options.Value, lines, cancellationToken))
        {
            if ((staged?.Data ?? invalid(quarantined!.Value)) is not { } body) continue;
            filled.Add(line);
            bodies.Add(body);
        }
        return filled.Count == 0 ? 0 : await FillAsync(conn, [.. filled], [.. bodies], cancellationToken);
    }

    static async Task<int> FillAsync(NpgsqlConnection conn, long[] lines, string[] bodies, CancellationToken cancellationToken)
    {
        await using var cmd = Long(Db.Command(conn, FillBodiesSql, lines, bodies));
        return await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Run {RunId} validated {Count} records that had skipped evaluation on a probable hash match; {Rejected} were invalid")]
    static partial void LogVerified(ILogger logger, long runId, int count, int rejected);
}
