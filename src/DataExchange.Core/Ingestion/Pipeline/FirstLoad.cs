using DataExchange.Core.Common;
using Npgsql;
using static DataExchange.Core.Ingestion.RunSql;

namespace DataExchange.Core.Ingestion;

/// <summary>
/// The publish transaction of a first load (issue 14), opened before staging on a connection of its own: the
/// dataset has no current rows, so every valid record whose key the run has not seen before is COPYed straight
/// into <c>dx.records</c> as the next version while the validators work, instead of into the stage and then
/// <c>insert … select</c> (one copy of every body saved), and not into the stage at all. Copies whose key the
/// <see cref="KeyFilter"/> flags go to the stage only, in full; before the de-duplication
/// <see cref="AddFirstCopiesAsync"/> stages a narrow row (line, key, hash; no body) of the first copy of each key
/// that repeats, so the de-duplication sees every copy of a key as before, and <see cref="ResolveAsync"/> settles
/// them after it. Nothing is visible until <see cref="RunPublisher.PublishFirstLoadAsync"/> commits;
/// disposed without it (failure, threshold, cancellation, crash), the transaction rolls back and nothing is published.
/// </summary>
internal sealed class FirstLoad(NpgsqlConnection conn, NpgsqlTransaction tx, int version) : IAsyncDisposable
{
    // The columns the publish's insert from the stage writes; those the same on every row of the run first.
    const string CopyRecordsSql = "copy dx.records (dataset_id, valid_from, schema_version, key, hash, raw_hash, data) from stdin (format binary)";
    const short CopyFields = 7;

    // Repeated keys whose copy in dx.records (staged narrow: data null) did not survive the de-duplication
    // (a conflict in reject mode, an earlier identical copy kept, a later one winning). Copies filled from the
    // payload for the quarantine (SkippedVerifier.BodiesAsync) are conflicting ones, dropped in reject mode.
    const string DroppedCopiesSql = """
        select d.key from dups d where not exists (select 1 from stage s where s.key = d.key and s.data is null)
        """;

    // The flagged copies that survived (a key the filter took for repeated, or the copy of a repeated key that
    // won): the only staged rows with a body that are not deletes.
    const string SurvivorsSql = "select key, hash, data, raw from stage where data is not null and not del";

    // The first copies, in dx.records, of the keys flagged as possibly repeated.
    const string FirstCopiesSql = "select key, hash, raw_hash from dx.records where dataset_id = $1 and valid_to is null and key = any($2)";

    const string StageFirstCopiesSql = """
        insert into stage (line, key, hash, data, del, checked, dup, raw)
        select l, k, h, null, false, true, false, r from unnest($1::bigint[], $2::text[], $3::bytea[], $4::bytea[]) as c (l, k, h, r)
        """;

    const string DeleteCopiesSql = "delete from dx.records where dataset_id = $1 and valid_to is null and key = any($2)";

    // dataset_id, valid_from and schema_version of every row the run writes, in COPY's binary form.
    byte[]? _runFields;

    /// <summary>The version this load publishes (the records' <c>valid_from</c>).</summary>
    public int Version => version;

    /// <summary>The connection of the publish transaction.</summary>
    public NpgsqlConnection Connection => conn;

    /// <summary>
    /// Opens the publish transaction of <paramref name="run"/> when its dataset has no current rows: takes the
    /// dataset's row lock as the publish does (<see cref="RunPublisher.PublishAsync"/>) and fixes the next version.
    /// Null when the dataset has current rows (the run then stages, diffs and publishes as before).
    /// </summary>
    public static async Task<FirstLoad?> BeginAsync(NpgsqlDataSource dataSource, RunRow run, CancellationToken cancellationToken)
    {
        var conn = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            bool empty;
            await using (var cmd = Db.Command(conn, RunDiff.NoCurrentRowsSql, run.DatasetId)) empty = (bool)(await cmd.ExecuteScalarAsync(cancellationToken))!;
            if (!empty)
            {
                await conn.DisposeAsync();
                return null;
            }
            var tx = await conn.BeginTransactionAsync(cancellationToken);
            await DatasetLock.LockPublishAsync(conn, run.DatasetId, cancellationToken);
            await RunPublisher.LockDatasetAsync(conn, run.DatasetId, cancellationToken);
            var (version, previousRows) = await RunPublisher.NextVersionAsync(conn, run.DatasetId, cancellationToken);
            // Under the run's dataset lock and now the row lock no run or release publishes meanwhile: checked
            // again inside the transaction all the same, since everything below relies on it.
            await using (var cmd = Db.Command(conn, RunDiff.NoCurrentRowsSql, run.DatasetId)) empty = (bool)(await cmd.ExecuteScalarAsync(cancellationToken))!;
            if (!empty || previousRows != 0)
            {
                await conn.DisposeAsync();
                return null;
            }
            return new FirstLoad(conn, tx, version);
        }
        catch
        {
            await conn.DisposeAsync();
            throw;
        }
    }

    /// <summary>The binary COPY into <c>dx.records</c> the stager writes first copies to.</summary>
    public Task<BinaryCopyWriter> BeginCopyAsync(CancellationToken cancellationToken) => BinaryCopyWriter.BeginAsync(conn, CopyRecordsSql, cancellationToken);

    /// <summary>Writes one record of the load: the columns the publish's insert writes, with <see cref="Version"/> as valid_from.</summary>
    public void Write(BinaryCopyWriter copy, RunRow run, in StagedRecord record)
    {
        _runFields ??= new BinaryCopyWriter.Prepared().Text(run.DatasetId).Int32(version).Int32(run.SchemaVersion).Bytes.ToArray();
        copy.StartRow(CopyFields);
        copy.Raw(_runFields);
        copy.Text(record.Key);
        copy.Bytes(record.Hash);
        if (record.Raw is { } raw) copy.Bytes(raw);
        else copy.Null();
        copy.Jsonb(record.Data);
    }

    /// <summary>
    /// After the de-duplication on the run's connection <paramref name="stageConn"/>: removes from the load the
    /// copies of repeated keys that the de-duplication dropped, and adds the flagged copies that survived, so
    /// that <c>dx.records</c> holds exactly the stage's surviving records, as the insert from the stage would.
    /// </summary>
    public async Task ResolveAsync(NpgsqlConnection stageConn, RunRow run, StageOutcome stage, CancellationToken cancellationToken)
    {
        if (stage.MaybeDuplicates == 0) return;
        if (await DupsExistAsync(stageConn, cancellationToken))
        {
            List<string> dropped = [];
            await using (var cmd = Long(Db.Command(stageConn, DroppedCopiesSql)))
            await using (var r = await cmd.ExecuteReaderAsync(cancellationToken))
                while (await r.ReadAsync(cancellationToken)) dropped.Add(r.GetString(0));
            if (dropped.Count > 0)
                await using (var cmd = Long(Db.Command(conn, DeleteCopiesSql, run.DatasetId, dropped.ToArray()))) await cmd.ExecuteNonQueryAsync(cancellationToken);
        }
        await using var read = Long(Db.Command(stageConn, SurvivorsSql));
        await using var rows = await read.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, cancellationToken);
        await using var copy = await BeginCopyAsync(cancellationToken);
        while (await rows.ReadAsync(cancellationToken))
        {
            var record = new StagedRecord(0, rows.GetString(0), rows.GetFieldValue<byte[]>(1), rows.GetString(2), Raw: rows.IsDBNull(3) ? null : rows.GetFieldValue<byte[]>(3));
            Write(copy, run, record);
        }
        await copy.CompleteAsync(cancellationToken);
    }

    static async Task<bool> DupsExistAsync(NpgsqlConnection conn, CancellationToken cancellationToken)
    {
        await using var cmd = Db.Command(conn, "select to_regclass('pg_temp.dups') is not null");
        return (bool)(await cmd.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>
    /// Before the de-duplication: stages a narrow row of the copy in <c>dx.records</c> of each key the stage also
    /// holds a flagged copy of (a repeated key; a false positive of the filter has none), its line found by one
    /// more read of the payload (the line with that key that is neither staged nor quarantined). None flagged or
    /// none repeated: the payload is not read again. Returns how many were staged.
    /// </summary>
    public async Task<long> AddFirstCopiesAsync(NpgsqlConnection stageConn, RunRow run, RunPayload payload, IngestionOptions options, StageOutcome stage,
        CancellationToken cancellationToken)
    {
        if (stage.MaybeDuplicates == 0) return 0;
        List<string> flagged = [];
        await using (var cmd = Long(Db.Command(stageConn, "select distinct key from stage where dup")))
        await using (var r = await cmd.ExecuteReaderAsync(cancellationToken))
            while (await r.ReadAsync(cancellationToken)) flagged.Add(r.GetString(0));
        var firsts = new Dictionary<string, (byte[] Hash, byte[]? Raw)>(StringComparer.Ordinal);
        await using (var cmd = Long(Db.Command(conn, FirstCopiesSql, run.DatasetId, flagged.ToArray())))
        await using (var r = await cmd.ExecuteReaderAsync(cancellationToken))
            while (await r.ReadAsync(cancellationToken)) firsts[r.GetString(0)] = (r.GetFieldValue<byte[]>(1), r.IsDBNull(2) ? null : r.GetFieldValue<byte[]>(2));
        if (firsts.Count == 0) return 0;

        // Lines that are not a first copy: staged (flagged copies, deletes) or quarantined by this run.
        var taken = new HashSet<long>();
        await using (var cmd = Long(Db.Command(stageConn, "select line from stage where key = any($1) union all select line from dx.rejected_records where run_id = $2",
            firsts.Keys.ToArray(), run.Id)))
        await using (var r = await cmd.ExecuteReaderAsync(cancellationToken))
            while (await r.ReadAsync(cancellationToken)) taken.Add(r.GetInt64(0));
        var feed = payload.Feed;
        var validator = new RecordValidator(payload.Schema, payload.KeyFields, feed.CaseInsensitiveKeys == true, feed.Mode == "incremental" ? feed.DeleteMarker : null)
        { PatternBudget = options.PatternBudget };
        var header = new System.Runtime.CompilerServices.StrongBox<string[]>([]);
        var lines = new Dictionary<string, long>(firsts.Count, StringComparer.Ordinal);
        await foreach (var record in PayloadReader.ReadAsync(payload.Path, feed, options, header, cancellationToken))
        {
            if (taken.Contains(record.Line) || validator.KnownKey(record, header.Value!) is not { } key || !firsts.ContainsKey(key)) continue;
            if (!lines.TryAdd(key, record.Line))
                throw new InvalidOperationException($"Key '{key}' has more than one copy outside the stage and the quarantine (lines {lines[key]} and {record.Line}).");
        }
        // The payload is the one just staged, read the same way: a first copy it no longer has would be a record lost.
        if (lines.Count != firsts.Count)
            throw new InvalidOperationException($"{firsts.Count - lines.Count} first copies of repeated keys were not found on reading the payload again.");
        var keys = lines.Keys.ToArray();
        await using (var cmd = Long(Db.Command(stageConn, StageFirstCopiesSql, keys.Select(k => lines[k]).ToArray(), keys, keys.Select(k => firsts[k].Hash).ToArray(),
            keys.Select(k => firsts[k].Raw).ToArray())))
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        return keys.Length;
    }

    /// <summary>Commits the load (called by the publish, after the version's row, the run's row and their audit entries).</summary>
    public Task CommitAsync(CancellationToken cancellationToken) => tx.CommitAsync(cancellationToken);

    /// <summary>Rolls back whatever was not committed and gives the connection back.</summary>
    public async ValueTask DisposeAsync()
    {
        await tx.DisposeAsync();
        await conn.DisposeAsync();
    }
}
