using DataExchange.Core.Common;
using Npgsql;
using static DataExchange.Core.Ingestion.RunSql;

namespace DataExchange.Core.Ingestion;

/// <summary>
/// The publish transaction of a first load (issue 14), opened before staging on a connection of its own: the
/// dataset has no current rows, so every valid record whose key the run has not seen before is COPYed straight
/// into <c>dx.records</c> as the next version while the validators work, instead of into the stage and then
/// <c>insert … select</c> (one copy of every body saved), and not into the stage at all; its line and key go to a
/// <see cref="KeySpill"/> beside the payload. Copies whose key the <see cref="KeyFilter"/> flags go to the stage only,
/// in full; before the de-duplication <see cref="AddFirstCopiesAsync"/> stages a narrow row (line, key, hash; no body)
/// of the first copy of each key that repeats, its line from the spill, so the de-duplication sees every copy of a key
/// as before, and <see cref="ResolveAsync"/> settles them after it. Nothing is visible until <see cref="RunPublisher.PublishFirstLoadAsync"/> commits;
/// disposed without it (failure, threshold, cancellation, crash), the transaction rolls back and nothing is published.
/// </summary>
internal sealed class FirstLoad(NpgsqlConnection conn, NpgsqlTransaction tx, int version, string spillDirectory) : IAsyncDisposable
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

    // The keys flagged as possibly repeated, in the load's transaction (dropped with it).
    const string CreateFlaggedSql = """create temp table flagged (key text collate "C" not null) on commit drop""";

    // Their first copies, in dx.records (a false positive of the filter has none): one lookup in records_current per flagged
    // key. As a join, the planner (statistics from before the load: no rows for the dataset) hashed every current row of the
    // load instead (980k rows read, spilled to temp files: 2.4 s of a 1M-row first load's de-duplication, auto_explain); the
    // limit keeps the lateral subquery from being pulled up into such a join (the index is unique: one row at most anyway).
    const string FirstCopiesSql = """
        select f.key, r.hash, r.raw_hash from flagged f
        cross join lateral (select c.hash, c.raw_hash from dx.records c where c.dataset_id = $1 and c.key = f.key and c.valid_to is null limit 1) r
        """;

    // Beside the stage: those first copies, and their lines (from the spill: the lines of the records written directly).
    const string CreateFirstsSql = """
        drop table if exists pg_temp.firsts, pg_temp.firstlines;
        create temp table firsts (key text collate "C" not null, hash bytea not null, raw bytea);
        create temp table firstlines (line bigint not null, key text collate "C" not null)
        """;

    const string FirstLinesFoundSql = """
        select (select count(*) from firsts), (select count(distinct key) from firstlines),
               (select key || ' (lines ' || string_agg(line::text, ' and ' order by line) || ')' from firstlines group by key having count(*) > 1 order by key limit 1)
        """;

    const string StageFirstCopiesSql = """
        insert into stage (line, key, hash, data, del, checked, dup, raw)
        select l.line, l.key, f.hash, null, false, true, false, f.raw from firstlines l join firsts f on f.key = l.key
        """;

    const string DropFirstsSql = "drop table pg_temp.firsts, pg_temp.firstlines";

    const string DeleteCopiesSql = "delete from dx.records where dataset_id = $1 and valid_to is null and key = any($2)";

    // dataset_id, valid_from and schema_version of every row the run writes, in COPY's binary form.
    byte[]? _runFields;

    // The lines and keys of the records written directly (WriteFirst).
    KeySpill? _spill;

    /// <summary>The version this load publishes (the records' <c>valid_from</c>).</summary>
    public int Version => version;

    /// <summary>The connection of the publish transaction.</summary>
    public NpgsqlConnection Connection => conn;

    /// <summary>
    /// Opens the publish transaction of <paramref name="run"/> when its dataset has no current rows: takes the
    /// dataset's row lock as the publish does (<see cref="RunPublisher.PublishAsync"/>) and fixes the next version.
    /// Null when the dataset has current rows (the run then stages, diffs and publishes as before). The lines and keys
    /// of the records written directly are spilled to a file in <paramref name="spillDirectory"/> (the payload's).
    /// </summary>
    public static async Task<FirstLoad?> BeginAsync(NpgsqlDataSource dataSource, RunRow run, string spillDirectory, CancellationToken cancellationToken)
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
            return new FirstLoad(conn, tx, version, spillDirectory);
        }
        catch
        {
            await conn.DisposeAsync();
            throw;
        }
    }

    /// <summary>The binary COPY into <c>dx.records</c> the stager writes first copies to.</summary>
    public Task<BinaryCopyWriter> BeginCopyAsync(CancellationToken cancellationToken) => BinaryCopyWriter.BeginAsync(conn, CopyRecordsSql, cancellationToken);

    /// <summary>
    /// Writes a record whose key the run has not staged before (<see cref="Write"/>), and spills its line and key: if the key
    /// turns out to repeat, <see cref="AddFirstCopiesAsync"/> stages this copy narrow by that line.
    /// </summary>
    public void WriteFirst(BinaryCopyWriter copy, RunRow run, in StagedRecord record)
    {
        Write(copy, run, record);
        (_spill ??= new KeySpill(spillDirectory)).Add(record.Line, record.Key);
    }

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
    /// holds a flagged copy of (a repeated key; a false positive of the filter has none), its line found in the
    /// <see cref="KeySpill"/> of the records written directly. None flagged or none repeated: the spill is not read.
    /// Returns how many were staged.
    /// </summary>
    public async Task<long> AddFirstCopiesAsync(NpgsqlConnection stageConn, RunRow run, StageOutcome stage, CancellationToken cancellationToken)
    {
        if (stage.MaybeDuplicates == 0) return 0;
        // Streamed from connection to connection: memory holds the repeated keys alone, not their copies' hashes and lines
        // (issue 14, flat memory: at 10M rows with 1% repeated keys those were tens of MB).
        await using (var create = new NpgsqlCommand(CreateFlaggedSql, conn)) await create.ExecuteNonQueryAsync(cancellationToken);
        await using (var read = Long(Db.Command(stageConn, "select distinct key from stage where dup")))
        await using (var keys = await read.ExecuteReaderAsync(cancellationToken))
        await using (var copy = await conn.BeginBinaryImportAsync("copy flagged (key) from stdin (format binary)", cancellationToken))
        {
            while (await keys.ReadAsync(cancellationToken))
            {
                await copy.StartRowAsync(cancellationToken);
                await copy.WriteAsync(keys.GetString(0), NpgsqlTypes.NpgsqlDbType.Text, cancellationToken);
            }
            await copy.CompleteAsync(cancellationToken);
        }
        await using (var create = new NpgsqlCommand(CreateFirstsSql, stageConn)) await create.ExecuteNonQueryAsync(cancellationToken);
        var repeated = new HashSet<string>(StringComparer.Ordinal);
        await using (var read = Long(Db.Command(conn, FirstCopiesSql, run.DatasetId)))
        await using (var firsts = await read.ExecuteReaderAsync(cancellationToken))
        await using (var copy = await stageConn.BeginBinaryImportAsync("copy firsts (key, hash, raw) from stdin (format binary)", cancellationToken))
        {
            while (await firsts.ReadAsync(cancellationToken))
            {
                var key = firsts.GetString(0);
                repeated.Add(key);
                await copy.StartRowAsync(cancellationToken);
                await copy.WriteAsync(key, NpgsqlTypes.NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(firsts.GetFieldValue<byte[]>(1), NpgsqlTypes.NpgsqlDbType.Bytea, cancellationToken);
                if (firsts.IsDBNull(2)) await copy.WriteNullAsync(cancellationToken);
                else await copy.WriteAsync(firsts.GetFieldValue<byte[]>(2), NpgsqlTypes.NpgsqlDbType.Bytea, cancellationToken);
            }
            await copy.CompleteAsync(cancellationToken);
        }
        if (repeated.Count == 0)
        {
            await using var drop = new NpgsqlCommand(DropFirstsSql, stageConn);
            await drop.ExecuteNonQueryAsync(cancellationToken);
            return 0;
        }

        // Every key in dx.records was written there directly, once (a later copy of it is flagged), and spilled with its line.
        if (_spill is null) throw new InvalidOperationException("A first load has records of repeated keys but no spill of the records it wrote.");
        await using (var copy = await BinaryCopyWriter.BeginAsync(stageConn, "copy firstlines (line, key) from stdin (format binary)", cancellationToken))
        {
            _spill.Find(repeated, (line, key) =>
            {
                copy.StartRow(2);
                copy.Int64(line);
                copy.Text(key);
            });
            await copy.CompleteAsync(cancellationToken);
        }
        long expected, found;
        string? twice;
        await using (var cmd = new NpgsqlCommand(FirstLinesFoundSql, stageConn))
        await using (var r = await cmd.ExecuteReaderAsync(cancellationToken))
        {
            await r.ReadAsync(cancellationToken);
            (expected, found, twice) = (r.GetInt64(0), r.GetInt64(1), r.IsDBNull(2) ? null : r.GetString(2));
        }
        if (twice is not null)
            throw new InvalidOperationException($"Key {twice} was written to the first load more than once.");
        // Every record in dx.records was spilled as it was written: a first copy missing there would be a record lost.
        if (found != expected)
            throw new InvalidOperationException($"{expected - found} first copies of repeated keys were not found among the records written.");
        await using (var cmd = Long(Db.Command(stageConn, StageFirstCopiesSql))) await cmd.ExecuteNonQueryAsync(cancellationToken);
        await using (var drop = new NpgsqlCommand(DropFirstsSql, stageConn)) await drop.ExecuteNonQueryAsync(cancellationToken);
        return expected;
    }

    /// <summary>Commits the load (called by the publish, after the version's row, the run's row and their audit entries).</summary>
    public Task CommitAsync(CancellationToken cancellationToken) => tx.CommitAsync(cancellationToken);

    /// <summary>Rolls back whatever was not committed and gives the connection back.</summary>
    public async ValueTask DisposeAsync()
    {
        _spill?.Dispose();
        _spill = null;
        await tx.DisposeAsync();
        await conn.DisposeAsync();
    }
}
