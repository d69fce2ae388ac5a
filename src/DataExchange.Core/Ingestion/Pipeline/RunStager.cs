using System.Runtime.CompilerServices;
using System.Threading.Channels;
using DataExchange.Core.Common;
using DataExchange.Core.Datasets.Schemas;
using DataExchange.Core.Feeds;
using Npgsql;
using NpgsqlTypes;
using Microsoft.Extensions.Options;

namespace DataExchange.Core.Ingestion;

/// <summary>
/// Stage and validate: streams a run's payload through parallel validators into the temp table <c>stage</c>
/// of the run's connection and its rejects into the quarantine, with the run's progress written as it goes.
/// </summary>
public sealed class RunStager(NpgsqlDataSource dataSource, RunLedger ledger, IOptions<IngestionOptions> options, TimeProvider time)
{
    const string CreateStageSql = """
        -- A redone run on a reused pooled connection starts clean.
        drop table if exists pg_temp.stage, pg_temp.dups, pg_temp.diff;
        -- Every statement from here on is a set operation over whole tables. With stale statistics on
        -- dx.records (autovacuum lags after a big load) the planner chose a nested-loop anti-join of
        -- records against stage: 200k x 200k rows, minutes instead of milliseconds. Hash joins only;
        -- reset when the run lets go of the connection.
        set enable_nestloop = off;
        -- data is null where the record's hash is probably published (not checked): a re-ingest moves
        -- narrow rows, and bodies only for new content (issue 14). BodiesAsync reads a missing body
        -- again from the payload where one is needed after all.
        -- dup: the key may have been staged before in this run (KeyFilter); only those keys are de-duplicated.
        -- raw: the source row's hash (SourceRowHash). A row whose raw hash is probably a current record's is
        -- staged with its key and raw hash alone (hash null): KnownRows checks it against that record.
        create temp table stage (line bigint not null, key text collate "C" not null, hash bytea, data text, del boolean not null,
                                 checked boolean not null, dup boolean not null, raw bytea)
        """;

    sealed record Batch(string[] Header, List<SourceRecord> Records);

    /// <summary>A row staged by its key and raw hash alone: probably a current record's source row, checked by <see cref="KnownRows"/>.</summary>
    readonly record struct KnownRow(long Line, string Key, byte[] Raw);

    sealed record Results(List<StagedRecord> Staged, List<QuarantinedRecord> Quarantined, List<KnownRow> Known);

    /// <summary>
    /// Streams the payload through parallel validators into the temp table <c>stage</c> (binary
    /// COPY on <paramref name="conn"/>) and the quarantine (binary COPY on a second connection).
    /// Bounded channels keep at most a few batches in memory whatever the payload size. With a first
    /// <paramref name="load"/>, a valid record whose key the run has not staged before goes to <c>dx.records</c>
    /// (binary COPY in the load's transaction) and to the stage as a narrow row without its body (<see cref="FirstLoad"/>).
    /// </summary>
    internal async Task<StageOutcome> StageAsync(NpgsqlConnection conn, RunRow run, string path, FeedDefinition feed, DatasetSchema schema,
        IReadOnlyList<string> keyFields, FirstLoad? load, CancellationToken cancellationToken)
    {
        await using (var create = new NpgsqlCommand(CreateStageSql, conn)) await create.ExecuteNonQueryAsync(cancellationToken);
        // The joins and sorts of a run over millions of rows spill to disk at the default 4 MB.
        await using (var memory = Db.Command(conn, "select set_config('work_mem', $1, false)", options.Value.WorkMem))
            await memory.ExecuteNonQueryAsync(cancellationToken);
        // A first load has no current rows, so no published hashes: nothing skips the evaluator or is staged by its source row's hash.
        // Freed when the staging ends, after every worker that reads them has stopped (see the catch below).
        var loading = System.Diagnostics.Stopwatch.GetTimestamp();
        using var current = load is null ? await CurrentHashes.LoadAsync(conn, run, options.Value, cancellationToken) : CurrentHashes.None;
        if (current.Count > 0) IngestionMetrics.Record(run.DatasetId, "filters", System.Diagnostics.Stopwatch.GetElapsedTime(loading));
        var (published, knownRows) = (current.Content, current.Rows);
        // What ProvenDiff needs from the staging: the sums of the rows staged by their row hash alone (none to prove without them).
        // Disposed by the runner once the diff is done, or here if the staging fails.
        var proof = current.TakeProof();
        await ledger.ReportProgressAsync(run.Id, "reading", 0, 0, 0, 0, cancellationToken);

        var opts = options.Value;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var token = cts.Token;
        var input = Channel.CreateBounded<Batch>(opts.Validators * 2);
        var output = Channel.CreateBounded<Results>(opts.Validators * 2);
        var validator = new RecordValidator(schema, keyFields, feed.CaseInsensitiveKeys == true, feed.Mode == "incremental" ? feed.DeleteMarker : null, published)
        { PatternBudget = opts.PatternBudget };
        var header = new StrongBox<string[]>([]);
        // One reading per run (the header is read before the first batch); two workers building it at once build equal ones.
        SourceRowHash? rowHash = null;
        var timeouts = 0;
        long validating = 0;

        var position = new StrongBox<long>();
        var batches = new Recycler<List<SourceRecord>>(() => new(opts.BatchSize), b => b.Clear());
        var outputs = new Recycler<Results>(() => new([], [], []), r =>
        {
            r.Staged.Clear();
            r.Quarantined.Clear();
            r.Known.Clear();
        });
        SourceRowHash HashFor(string[] names) => SourceRowHash.For(feed.Format, feed.Delimiter, feed.Quote, names, keyFields,
            feed.CaseInsensitiveKeys == true, feed.Mode == "incremental" ? feed.DeleteMarker : null, schema.Version);
        // A re-ingest's CSV rows known by their source row hash are read by their key alone: no cells (issue 14).
        var probe = knownRows.IsEmpty ? null : new CsvRowProbe(knownRows, validator, HashFor);
        var producer = Task.Run(() => ProduceAsync(path, feed, opts, header, position, probe, batches, input.Writer, token), token);
        var workers = Enumerable.Range(0, opts.Validators).Select(_ => Task.Run(async () =>
        {
            await foreach (var batch in input.Reader.ReadAllAsync(token))
            {
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                var results = outputs.Take();
                var hasher = rowHash ??= HashFor(batch.Header);
                foreach (var record in batch.Records)
                {
                    if (record.KnownKey is { } read)
                    {
                        // Read by its key alone (CsvRowProbe): no cells to evaluate.
                        results.Known.Add(new KnownRow(record.Line, read, record.RawHash!));
                        continue;
                    }
                    var raw = record.RawHash ?? hasher.Of(record);
                    // A row the reader hashed and gave its cells was probed there already.
                    if (record.RawHash is null && knownRows.MightContain(raw) && validator.KnownKey(record, batch.Header) is { } key)
                    {
                        results.Known.Add(new KnownRow(record.Line, key, raw));
                        continue;
                    }
                    var (staged, quarantined) = validator.Process(record, batch.Header);
                    if (staged is { } s)
                    {
                        results.Staged.Add(s with { Raw = raw });
                        continue;
                    }
                    results.Quarantined.Add(quarantined!.Value);
                    if (quarantined.Value.TimedOut && Interlocked.Increment(ref timeouts) > opts.MaxPatternTimeouts) throw TooManyPatternTimeouts(opts);
                }
                Interlocked.Add(ref validating, System.Diagnostics.Stopwatch.GetTimestamp() - started);
                batches.Return(batch.Records);
                await output.Writer.WriteAsync(results, token);
            }
        }, token)).ToArray();
        var closeOutput = Task.WhenAll(workers).ContinueWith(t => output.Writer.TryComplete(t.Exception), TaskScheduler.Default);

        try
        {
            // A snapshot whose proof is likely: the known rows whose key is new to the run (P) stay out of the stage, spilled beside
            // the payload; ProvenDiff copies them in only if the proof fails (issue 14).
            if (proof is not null && opts.ProvenDiff && feed.Mode == "snapshot") proof.SpillTo(Path.GetDirectoryName(Path.GetFullPath(path))!);
            var keys = KeyFilter.ForPayload(new FileInfo(path).Length, PayloadReader.IsGzip(path, feed.Gzip));
            var (valid, rejected, maybeDuplicates, skipped, known, direct) = await WriteAsync(conn, run, output.Reader, outputs, position, keys, load, proof, token);
            await producer;
            await Task.WhenAll(workers);
            await closeOutput;
            // Every later statement reads the stage; without statistics the planner takes it for a few rows.
            await using (var analyze = RunSql.Long(Db.Command(conn, "analyze pg_temp.stage"))) await analyze.ExecuteNonQueryAsync(token);
            if (feed.Format == "csv") await SaveHeaderAsync(conn, run.Id, header.Value!, token);
            IngestionMetrics.Record(run.DatasetId, "validate", System.Diagnostics.Stopwatch.GetElapsedTime(0, validating));
            if (load is not null && (skipped > 0 || known > 0)) throw new InvalidOperationException("A first load staged records without evaluating them.");
            return new StageOutcome(new RunCounts(valid + rejected, valid, rejected, 0, 0, 0, 0, 0, 0), maybeDuplicates, skipped, known, direct) { Proof = proof };
        }
        catch
        {
            await cts.CancelAsync();
            proof?.Dispose();
            // The filters are freed on the way out: no worker may still be reading them.
            await Task.WhenAll([producer, .. workers]).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            throw;
        }
    }

    // A payload problem: the same bytes would run out of time again.
    static InvalidDataException TooManyPatternTimeouts(IngestionOptions opts) => new(
        $"More than {opts.MaxPatternTimeouts} records could not be checked against the schema's patterns within their time budget of "
        + $"{opts.PatternBudget.TotalMilliseconds:F0} ms (Ingestion:MaxPatternTimeouts, Ingestion:PatternBudget): a backtracking pattern is too costly for this payload.");

    static async Task SaveHeaderAsync(NpgsqlConnection conn, long runId, string[] header, CancellationToken token)
    {
        await using var cmd = Db.Command(conn, "update dx.ingestion_runs set csv_header = $2 where id = $1", runId,
            // PostgreSQL text cannot hold NUL; such a column can match no schema property anyway.
            header.Select(h => h.Replace('\0', '\uFFFD')).ToArray());
        await cmd.ExecuteNonQueryAsync(token);
    }

    static async Task ProduceAsync(string path, FeedDefinition feed, IngestionOptions opts, StrongBox<string[]> header, StrongBox<long> position,
        CsvRowProbe? probe, Recycler<List<SourceRecord>> batches, ChannelWriter<Batch> writer, CancellationToken token)
    {
        try
        {
            var batch = batches.Take();
            await foreach (var record in PayloadReader.ReadAsync(path, feed, opts, header, position, null, probe, token))
            {
                batch.Add(record);
                if (batch.Count == opts.BatchSize)
                {
                    await writer.WriteAsync(new Batch(header.Value!, batch), token);
                    batch = batches.Take();
                }
            }
            if (batch.Count > 0) await writer.WriteAsync(new Batch(header.Value!, batch), token);
            writer.TryComplete();
        }
        catch (Exception e)
        {
            writer.TryComplete(e);
            throw;
        }
    }

    const short StageFields = 8;

    /// <summary>The COPY of the stage's rows, every column in order.</summary>
    internal const string CopyStageSql = "copy stage (line, key, hash, data, del, checked, dup, raw) from stdin (format binary)";

    static readonly byte[] KnownFields = new BinaryCopyWriter.Prepared().Null().Null().Bool(false).Bool(true).Bytes.ToArray();

    /// <summary>The stage row of a row read by its key and source row hash alone: hash and data null, not a delete, checked.</summary>
    internal static void WriteKnownRow(BinaryCopyWriter stage, long line, string key, byte[] raw, bool dup)
    {
        stage.StartRow(StageFields);
        stage.Int64(line);
        stage.Text(key);
        stage.Raw(KnownFields);
        stage.Bool(dup);
        stage.Bytes(raw);
    }

    async Task<(long Valid, long Rejected, long MaybeDuplicates, long Skipped, long Known, long Direct)> WriteAsync(NpgsqlConnection conn, RunRow run, ChannelReader<Results> results,
        Recycler<Results> outputs, StrongBox<long> position, KeyFilter keys, FirstLoad? load, ProofInput? proof, CancellationToken token)
    {
        long valid = 0, rejected = 0, maybeDuplicates = 0, skipped = 0, known = 0, direct = 0;
        var reported = time.GetTimestamp();
        await using var quarantineConn = await dataSource.OpenConnectionAsync(token);
        // The stage's rows (a re-ingest's million narrow rows) written by our own binary COPY writer, not Npgsql's importer (issue 14).
        await using (var stage = await BinaryCopyWriter.BeginAsync(conn, CopyStageSql, token))
        await using (var quarantine = await quarantineConn.BeginBinaryImportAsync(
            "copy dx.rejected_records (run_id, line, raw, errors, schema_version, key) from stdin (format binary)", token))
        await using (var records = load is null ? null : await load.BeginCopyAsync(token))
        {
            await foreach (var batch in results.ReadAllAsync(token))
            {
                // Synchronous writes: they only fill Npgsql's buffer and block on the rare flush, where five
                // awaits per row cost about a second per million rows in state machines.
                foreach (var r in batch.Staged)
                {
                    var dup = keys.Add(r.Key);
                    if (records is not null && !dup && !r.Delete)
                    {
                        // A first load (no published hashes): every record was evaluated.
                        if (!r.Checked) throw new InvalidOperationException("A first load staged a record without evaluating it.");
                        // Not staged: FirstLoad.AddFirstCopiesAsync stages it narrow if its key turns out to repeat.
                        load!.WriteFirst(records, run, r);
                        direct++;
                        continue;
                    }
                    stage.StartRow(StageFields);
                    stage.Int64(r.Line);
                    stage.Text(r.Key);
                    if (r.Hash is { } hash) stage.Bytes(hash);
                    else stage.Null();
                    if (r.Checked && r.Data is { } data) stage.Text(data);
                    else stage.Null();
                    stage.Bool(r.Delete);
                    stage.Bool(r.Checked);
                    stage.Bool(dup);
                    if (r.Raw is { } raw) stage.Bytes(raw);
                    else stage.Null();
                    if (dup) maybeDuplicates++;
                    if (!r.Checked) skipped++;
                }
                foreach (var k in batch.Known)
                {
                    var dup = keys.Add(k.Key);
                    // Summed for the proof; P spilled instead of staged while a proof is likely (ProofInput.Stage).
                    if (proof is not null && !proof.Stage(k.Line, k.Key, k.Raw, dup)) continue;
                    WriteKnownRow(stage, k.Line, k.Key, k.Raw, dup);
                    if (dup) maybeDuplicates++;
                }
                known += batch.Known.Count;
                valid += batch.Staged.Count + batch.Known.Count;
                foreach (var q in batch.Quarantined)
                {
                    await quarantine.StartRowAsync(token);
                    await quarantine.WriteAsync(run.Id, NpgsqlDbType.Bigint, token);
                    await quarantine.WriteAsync(q.Line, NpgsqlDbType.Bigint, token);
                    await quarantine.WriteAsync(q.StoredRaw, NpgsqlDbType.Text, token);
                    await quarantine.WriteAsync(q.StoredErrors, NpgsqlDbType.Jsonb, token);
                    await quarantine.WriteAsync(run.SchemaVersion, NpgsqlDbType.Integer, token);
                    await quarantine.WriteAsync(q.StoredKey, NpgsqlDbType.Text, token);
                }
                rejected += batch.Quarantined.Count;
                outputs.Return(batch);
                // Checked once a batch (2,000 records), written at most once a ProgressInterval: on its own pooled
                // connection, since both of the run's connections are busy with their COPY.
                if (time.GetElapsedTime(reported) >= options.Value.ProgressInterval)
                {
                    await ledger.ReportProgressAsync(run.Id, "reading", valid + rejected, valid, rejected, Volatile.Read(ref position.Value), token);
                    reported = time.GetTimestamp();
                }
            }
            await stage.CompleteAsync(token);
            await quarantine.CompleteAsync(token);
            if (records is not null) await records.CompleteAsync(token);
        }
        return (valid, rejected, maybeDuplicates, skipped, known, direct);
    }
}
