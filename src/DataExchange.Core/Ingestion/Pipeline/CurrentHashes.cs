using DataExchange.Core.Common;
using Npgsql;

namespace DataExchange.Core.Ingestion;

/// <summary>
/// What a re-ingest reads of the dataset's current records before staging, in one pass: a filter of their content hashes
/// under the run's schema version (records with that content need no evaluation, <see cref="PublishedHashes"/>), a filter of
/// their source row hashes under it (rows read from the same source row not even a parse, <see cref="RowHashFilter"/>), and,
/// for <see cref="ProvenDiff"/>, the count and keyed sum of the row hashes of <em>every</em> current record, whatever its schema version
/// (none when a record has no row hash: nothing can be proven).
/// </summary>
internal sealed class CurrentHashes : IDisposable
{
    // Every current record: those of another schema version count in the proof's sums (and so make it fail) but not in the filters.
    const string CurrentSql = """
        select hash, schema_version = $2, raw_hash from dx.records where dataset_id = $1 and valid_to is null
        """;

    const string CurrentRowsSql = """
        select coalesce((select row_count from dx.dataset_versions where dataset_id = $1 order by version desc limit 1), 0)
        """;

    RowSums? _sums;

    CurrentHashes(PublishedHashes content, RowHashFilter rows, RowSums? sums, long count)
    {
        (Content, Rows, _sums, Count) = (content, rows, sums, count);
    }

    /// <summary>Nothing current: nothing skips the evaluator, nothing is known by its row hash, nothing to prove.</summary>
    public static CurrentHashes None => new(PublishedHashes.None, RowHashFilter.None, null, 0);

    /// <summary>The content hashes of the current records under the run's schema version.</summary>
    public PublishedHashes Content { get; }

    /// <summary>The source row hashes of the current records under the run's schema version.</summary>
    public RowHashFilter Rows { get; }

    /// <summary>How many records are current.</summary>
    public long Count { get; }

    /// <summary>The proof's input, or null when nothing can be proven (no row hash known, or a current record without one); the caller disposes it.</summary>
    public ProofInput? TakeProof()
    {
        if (_sums is not { } sums || Rows.IsEmpty) return null;
        _sums = null;
        return new ProofInput(sums, Count, Rows.FalsePositiveRate(Count));
    }

    /// <summary>Reads the dataset's current records once.</summary>
    public static async Task<CurrentHashes> LoadAsync(NpgsqlConnection conn, RunRow run, IngestionOptions options, CancellationToken token)
    {
        long rows;
        await using (var count = Db.Command(conn, CurrentRowsSql, run.DatasetId)) rows = (long)(await count.ExecuteScalarAsync(token))!;
        if (rows == 0) return None;
        var (content, raws) = (new PublishedHashes(rows), new RowHashFilter(rows, options.RowFilterMaxBytes * 8));
        // Past the filter's cap a proof would fail on its false positives even if only 1% of the rows were unknown (10M rows: about 5%
        // of them): no sums then, which saves encrypting every row hash twice (ProvenDiff refuses on the same estimate).
        var (current, provable) = (0L, options.ProvenDiff && raws.FalsePositiveRate(rows) * rows / 100 < 1);
        var sums = provable ? RowSums.Create() : null;
        var hash = new byte[32];
        await using var cmd = Db.Command(conn, CurrentSql, run.DatasetId, run.SchemaVersion);
        await using var reader = await cmd.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, token);
        while (await reader.ReadAsync(token))
        {
            current++;
            var hashed = reader.GetBytes(0, 0, hash, 0, hash.Length) == hash.Length;
            var sameVersion = reader.GetBoolean(1);
            if (hashed && sameVersion) content.Add(hash);
            if (reader.IsDBNull(2) || reader.GetBytes(2, 0, hash, 0, hash.Length) != hash.Length)
            {
                provable = false;
                continue;
            }
            if (sameVersion) raws.Add(hash);
            sums?.Add(hash);
        }
        if (!provable)
        {
            sums?.Dispose();
            sums = null;
        }
        return new CurrentHashes(content, raws, sums, current);
    }

    /// <summary>Frees the filters (and the sums, unless taken).</summary>
    public void Dispose()
    {
        Content.Dispose();
        Rows.Dispose();
        _sums?.Dispose();
    }
}
