namespace DataExchange.Core.Ingestion;

/// <summary>Tuning of the ingestion pipeline (section <c>Ingestion</c>).</summary>
public sealed class IngestionOptions
{
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
    /// Waits before each retry of a run that failed transiently (source down or cut off, database
    /// hiccup); one retry per entry. Default 10 s, 1 min, 5 min: a source restarting or a proxy
    /// timing out is usually back within minutes, and four attempts stay under seven minutes.
    /// </summary>
    public TimeSpan[] RetryDelays { get; set; } = [TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5)];
}
