using DataExchange.Core.Common;
using DataExchange.Core.Feeds;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using static DataExchange.Core.Ingestion.RunSql;

namespace DataExchange.Core.Ingestion;

/// <summary>
/// A re-ingest's de-duplication and diff over the rows it does not know alone, when a checksum proves that the full ones,
/// over every staged row and every current record, would find nothing among the rest (issue 14).
/// <para>
/// The argument. Let C be the dataset's current records, each with its source row hash (<see cref="SourceRowHash"/>: the
/// SHA-256 of the row's bytes under the run's whole reading, schema version included); P the rows staged by their row hash
/// alone whose key the run had not staged before (<see cref="KeyFilter"/> said "new"); F the other rows staged so (their
/// key may repeat); O every other staged row; and R the records of C whose key is among O's keys or this run's rejected keys.
/// The stager sums P (<see cref="ProofInput"/>), the filter load sums C, and R is read here by key; all under one secret
/// key (<see cref="RowSums"/>). If |P| + |R| = |C| and the sums agree, then, but for a chance of about 2^-88, the multiset of
/// P's row hashes is that of C minus R. Equal row hashes are the same bytes read the same way, so the same key and the same
/// record (the argument <see cref="KnownRows"/> already rests on; records of another schema version hash another reading and
/// match nothing). Hence: every row of P is exactly its key's current record (unchanged); P's keys are distinct and none is
/// among O's or the rejected keys (P and R are disjoint by the count); every record of C outside R has its row in P, so the
/// snapshot deletes nothing outside R, and inside R a key is in O (not deleted) or rejected (kept). Every row of F must then
/// be an identical copy of a row of P: its key has a record outside R and its row hash is that record's (checked here, by key);
/// else the proof is not used. So the full de-duplication would drop F's rows as identical copies and find every other
/// repeated key within O, and the full diff would find P unchanged and nothing deleted outside R. What is left to do is the
/// same statements over O alone (the temp table <c>stage</c> replaced by O's rows) and R (the temp table <c>cur</c>,
/// instead of the dataset's current records), with F's rows counted as duplicates and P's as unchanged.
/// </para>
/// <para>
/// P is not even staged while a proof is likely (a snapshot with a proof input: <see cref="KnownRowSpill"/>): the proof needs of
/// P only its count and sum, and its keys in the stager's <see cref="KeyFilter"/>, so that any later row of a P key is flagged
/// (<c>dup</c>) and lands in F or in O's de-duplication. Nothing needs P's lines or keys to find a P row whose key is also among
/// O's or the rejected keys: that key's record is in R, the row's hash is a record's of C minus R by the multiset equality, equal
/// row hashes mean the same key, and C holds one current record per key, so the record would be both in R and outside it: the
/// sums (or counts) cannot agree, and the proof fails. A P row whose key repeats as another known row makes that row F, checked
/// here by key against the record outside R. When the proof holds, P's rows are neither de-duplicated nor diffed, so they are
/// never needed; when it fails, the spill is copied into the stage before the full path, which then finds the stage it would have
/// written itself (the same rows, <c>dup</c> false for each, as the writer saw them).
/// </para>
/// <para>
/// Anything else takes the full path unchanged: the switch off (<see cref="IngestionOptions.ProvenDiff"/>), incremental mode
/// (its absent keys are not deletions; its delete markers), a current record without a row hash, a filter false positive
/// (a row of O taken for known: P no longer matches C minus R), a deletion, a repeated known row that is not an identical
/// copy, a changed header or schema version. A held run cannot come of a proof, which leaves nothing deleted.
/// </para>
/// </summary>
public sealed partial class ProvenDiff(IOptions<IngestionOptions> options, ILogger<ProvenDiff> logger)
{
    // O and F: the rows not staged as P (a few per cent of a re-ingest), read in one pass over the stage.
    const string SmallSql = """
        drop table if exists pg_temp.small, pg_temp.cur;
        create temp table small as select * from stage where hash is not null or dup
        """;

    // R: the current records of O's keys and the rejected keys, one index lookup per key (the lateral subquery with its limit
    // cannot become a hash join over every current record; nested loops are on for this one transaction, JIT off: its cost
    // estimate passes jit_above_cost for a few thousand lookups, which the JIT compiles for longer than they take).
    const string CurrentSql = """
        create temp table cur as
        select k.key, r.hash, r.schema_version, r.raw_hash, r.rid
        from (select key from small where hash is not null
              union select key collate "C" from dx.rejected_records where run_id = $2 and key is not null) k
        cross join lateral (select r.hash, r.schema_version, r.raw_hash, r.ctid as rid from dx.records r
                            where r.dataset_id = $1 and r.key = k.key and r.valid_to is null limit 1) r
        """;

    // F's rows that are not identical copies of their key's row in P: a key without a record outside R, or another row hash.
    const string StrayRepeatsSql = """
        select count(*) from small f
        where f.hash is null
          and (f.raw is distinct from (select r.raw_hash from dx.records r where r.dataset_id = $1 and r.key = f.key and r.valid_to is null)
               or exists (select 1 from cur c where c.key = f.key))
        """;

    const string UseSmallSql = """
        delete from small where hash is null;
        drop table stage;
        alter table small rename to stage;
        analyze pg_temp.stage;
        analyze pg_temp.cur
        """;

    /// <summary>
    /// Tries the proof; when it holds, the temp table <c>stage</c> holds O's rows alone and <c>cur</c> the records of R, and the
    /// answer says how many rows were proven unchanged and how many were identical copies. Null: the full path, with the stage as it was.
    /// </summary>
    internal async Task<Proven?> TryAsync(NpgsqlConnection conn, RunRow run, FeedDefinition feed, StageOutcome stage, CancellationToken cancellationToken)
    {
        if (stage.Proof is not { } proof) return null;
        if (!options.Value.ProvenDiff || feed.Mode != "snapshot")
        {
            // Not tried; nothing was spilled then either (RunStager), but the full path must have every row.
            await RestageAsync(conn, proof, cancellationToken);
            return null;
        }
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var others = stage.Counts.Valid - stage.Known;
        var known = proof.Known.Count;
        // Cheap refusals first, before a pass over the stage: R has at most one record per row of O or rejected row.
        string? refusal = known > proof.CurrentCount ? "more known rows than current records"
            : known + others + stage.Counts.Rejected < proof.CurrentCount ? "deletions"
            : proof.FalsePositiveRate * (stage.Counts.Read - stage.Known) >= 1 ? "row filter too full"
            : null;
        if (refusal is null) refusal = await ProveAsync(conn, run, proof, cancellationToken);
        IngestionMetrics.Proof(run.DatasetId, refusal ?? "proved");
        if (refusal is not null)
        {
            await using (var drop = Db.Command(conn, "drop table if exists pg_temp.small, pg_temp.cur")) await drop.ExecuteNonQueryAsync(cancellationToken);
            // The full path reads every row: P's rows, kept out of the stage for the proof, go in now.
            var restaged = await RestageAsync(conn, proof, cancellationToken);
            IngestionMetrics.Record(run.DatasetId, "prove", clock.Elapsed);
            LogRefused(logger, run.Id, refusal, restaged);
            return null;
        }
        proof.DropSpill();
        LogProved(logger, run.Id, known, proof.Repeats, others);
        await using (var use = Long(Db.Command(conn, UseSmallSql))) await use.ExecuteNonQueryAsync(cancellationToken);
        IngestionMetrics.Record(run.DatasetId, "prove", clock.Elapsed);
        return new Proven(known, proof.Repeats);
    }

    /// <summary>Copies the rows of P that were spilled into the stage and analyses it again; returns how many.</summary>
    static async Task<long> RestageAsync(NpgsqlConnection conn, ProofInput proof, CancellationToken cancellationToken)
    {
        var restaged = await proof.RestageAsync(conn, cancellationToken);
        proof.DropSpill();
        if (restaged > 0)
            await using (var analyze = Long(Db.Command(conn, "analyze pg_temp.stage"))) await analyze.ExecuteNonQueryAsync(cancellationToken);
        return restaged;
    }

    /// <summary>Null when the proof holds, else why not.</summary>
    static async Task<string?> ProveAsync(NpgsqlConnection conn, RunRow run, ProofInput proof, CancellationToken cancellationToken)
    {
        await using (var cmd = Long(Db.Command(conn, SmallSql))) await cmd.ExecuteNonQueryAsync(cancellationToken);
        await using (var analyze = Long(Db.Command(conn, "analyze pg_temp.small"))) await analyze.ExecuteNonQueryAsync(cancellationToken);
        await using (var tx = await conn.BeginTransactionAsync(cancellationToken))
        {
            await using (var set = Db.Command(conn, "set local enable_nestloop = on; set local jit = off")) await set.ExecuteNonQueryAsync(cancellationToken);
            await using (var cmd = Long(Db.Command(conn, CurrentSql, run.DatasetId, run.Id))) await cmd.ExecuteNonQueryAsync(cancellationToken);
            await tx.CommitAsync(cancellationToken);
        }
        using var removed = proof.Current.Sibling();
        var hash = new byte[32];
        await using (var cmd = Long(Db.Command(conn, "select raw_hash from cur")))
        await using (var r = await cmd.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, cancellationToken))
            while (await r.ReadAsync(cancellationToken))
            {
                // The filter load found every current record with a row hash, so none of R lacks one (unless it changed meanwhile).
                if (r.IsDBNull(0) || r.GetBytes(0, 0, hash, 0, hash.Length) != hash.Length) return "a record without a row hash";
                removed.Add(hash);
            }
        if (!proof.Current.IsSumOf(proof.Known, removed)) return "sums differ";
        if (proof.Repeats == 0) return null;
        await using var stray = Long(Db.Command(conn, StrayRepeatsSql, run.DatasetId));
        return (long)(await stray.ExecuteScalarAsync(cancellationToken))! == 0 ? null : "a repeated known row that is not an identical copy";
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} proved {Known} rows unchanged and {Repeats} identical copies of them; de-duplicating and diffing {Others} rows")]
    static partial void LogProved(ILogger logger, long runId, long known, long repeats, long others);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} takes the full diff: {Refusal}; {Restaged} known rows staged from the spill")]
    static partial void LogRefused(ILogger logger, long runId, string refusal, long restaged);
}

/// <summary>What a proof found: <paramref name="Known"/> rows unchanged, <paramref name="Repeats"/> identical copies of them.</summary>
internal sealed record Proven(long Known, long Repeats);

/// <summary>
/// The proof's input from the filter load and the staging (<see cref="ProvenDiff"/>): the sums of every current record's row
/// hash, and those of the rows staged by their row hash alone whose key was new to the run (P); the others so staged are counted (F).
/// </summary>
internal sealed class ProofInput(RowSums current, long currentCount, double falsePositiveRate) : IDisposable
{
    /// <summary>The sums of the current records' row hashes.</summary>
    public RowSums Current => current;

    /// <summary>How many records are current.</summary>
    public long CurrentCount => currentCount;

    /// <summary>The row filter's expected share of false positives.</summary>
    public double FalsePositiveRate => falsePositiveRate;

    /// <summary>The sums of P's row hashes.</summary>
    public RowSums Known { get; } = current.Sibling();

    KnownRowSpill? _spill;

    /// <summary>How many rows were staged by their row hash alone with a key the run may have staged before (F).</summary>
    public long Repeats { get; private set; }

    /// <summary>How many rows of P were kept out of the stage (<see cref="SpillTo"/>).</summary>
    public long Spilled { get; private set; }

    /// <summary>From now on P's rows go to a <see cref="KnownRowSpill"/> in <paramref name="directory"/> instead of the stage.</summary>
    public void SpillTo(string directory) => _spill ??= new KnownRowSpill(directory);

    /// <summary>
    /// Called by the stage's single writer for each row read by its row hash alone, <paramref name="dup"/> its <see cref="KeyFilter"/>'s
    /// answer; false when the row was spilled (P, see <see cref="SpillTo"/>), so not to be staged.
    /// </summary>
    public bool Stage(long line, string key, byte[] raw, bool dup)
    {
        if (dup)
        {
            Repeats++;
            return true;
        }
        Known.Add(raw);
        if (_spill is null) return true;
        _spill.Add(line, key, raw);
        Spilled++;
        return false;
    }

    /// <summary>The spilled rows copied into the stage (the proof failed); returns how many.</summary>
    public async Task<long> RestageAsync(NpgsqlConnection conn, CancellationToken cancellationToken) =>
        _spill is null || Spilled == 0 ? 0 : await _spill.StageAsync(conn, cancellationToken);

    /// <summary>Deletes the spill (the proof was decided).</summary>
    public void DropSpill() => _spill?.Dispose();

    /// <summary>Disposes the sums and deletes the spill.</summary>
    public void Dispose()
    {
        current.Dispose();
        Known.Dispose();
        _spill?.Dispose();
    }
}
