namespace DataExchange.Core.Ingestion;

/// <summary>Tuning of the ingestion pipeline (section <c>Ingestion</c>).</summary>
public sealed class IngestionOptions
{
    /// <summary>
    /// How often a reading run writes its counts so far to its row (records read and rejected, bytes read), for the
    /// runs API, <c>dx feed … --watch</c> and the console. Default 1 s: one small update a second, next to a COPY.
    /// </summary>
    public TimeSpan ProgressInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Most bytes a run reads from its payload per second, on average (decompressed bytes for gzip). Default 0:
    /// no limit. An operator may set it to keep large runs from saturating a disk shared with the database.
    /// </summary>
    public long MaxReadBytesPerSecond { get; set; }

    /// <summary>Records per batch between parser, validators and writer. Default 2000: big enough to amortise channel hops, small enough to keep memory flat.</summary>
    public int BatchSize { get; set; } = 2000;

    /// <summary>Parallel validators. Default: one per core.</summary>
    public int Validators { get; set; } = Environment.ProcessorCount;

    /// <summary>Most bytes a gzip payload may expand to; past it the run fails (a gzip bomb). Default 16 GiB.</summary>
    public long MaxDecompressedBytes { get; set; } = 16L * 1024 * 1024 * 1024;

    /// <summary>
    /// PostgreSQL <c>work_mem</c> of a run's session, for the de-duplication, the diff against the published
    /// version and the sort of new rows; at PostgreSQL's default of 4 MB they spill to disk. Default 256MB
    /// (one run per dataset at a time; set lower for many concurrent large runs on a small server).
    /// </summary>
    public string WorkMem { get; set; } = "256MB";

    /// <summary>Largest record in bytes (a CSV record, a JSON array element or an NDJSON line); a longer one (say, an unclosed quote) fails the run instead of eating memory. Default 4 MiB.</summary>
    public int MaxRecordBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>
    /// The time the backtracking <c>pattern</c> matches of one record may take together; a record past it is
    /// quarantined as <c>pattern-timeout</c>. Default 100 ms, one match timeout: a pattern with a backreference or a
    /// lookaround takes microseconds on an ordinary value and only comes near it on a hostile one. Patterns on the
    /// linear engine are not charged (see <see cref="Datasets.Schemas.PatternBudget"/>).
    /// </summary>
    public TimeSpan PatternBudget { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Most records of one run that may run out of their <see cref="PatternBudget"/>; one more fails the run, so a
    /// run spends at most about this many budgets (plus one match timeout each) on patterns that do not finish. Default 10.
    /// </summary>
    public int MaxPatternTimeouts { get; set; } = 10;

    /// <summary>
    /// Whether a run of a dataset with no current rows (its first load) writes its records straight into
    /// <c>dx.records</c> by binary COPY in its publish transaction while it validates, instead of staging them
    /// and inserting them from the stage after (issue 14). Default true; false takes the staged path, which
    /// publishes the same records, counts and quarantine (the tests compare the two).
    /// </summary>
    public bool DirectFirstLoad { get; set; } = true;

    /// <summary>
    /// Whether a re-ingest proves, by counts and keyed sums of source row hashes, that the rows it staged by their row hash
    /// alone are exactly the current records outside the changed few, and then de-duplicates and diffs only the staged rows it
    /// does not know and the records of their keys (<see cref="ProvenDiff"/>, issue 14). Default true; false, or a proof
    /// that does not hold, takes the full diff over every staged row and every current record, with the same outcome (the tests compare the two).
    /// </summary>
    public bool ProvenDiff { get; set; } = true;

    /// <summary>
    /// Most bytes of the filter of current records' source row hashes a re-ingest loads (<see cref="RowHashFilter"/>). Default 8 MiB:
    /// 64 bits per row up to 1M rows (false positives about 1e-8); past that the bits per row fall, false positives rise and the
    /// proof of <see cref="ProvenDiff"/> holds less often, while memory stays flat.
    /// </summary>
    public long RowFilterMaxBytes { get; set; } = 8L * 1024 * 1024;

    /// <summary>
    /// How long a queued run may go without a live job before the recovery sweep hands it to a new one (a process
    /// died between committing the run and enqueuing it, or the job storage refused). Default 1 min: an enqueue takes
    /// milliseconds, and a run waiting behind another is not stranded while that one runs.
    /// </summary>
    public TimeSpan RecoverAfter { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often every process looks for stranded queued runs (<see cref="RecoverAfter"/>). Default 15 s.</summary>
    public TimeSpan RecoverInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Waits before each retry of a run that failed transiently (source down or cut off, database
    /// hiccup); one retry per entry. Default 10 s, 1 min, 5 min: a source restarting or a proxy
    /// timing out is usually back within minutes, and four attempts stay under seven minutes.
    /// </summary>
    public TimeSpan[] RetryDelays { get; set; } = [TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5)];
}
