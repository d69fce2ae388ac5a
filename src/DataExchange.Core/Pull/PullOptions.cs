namespace DataExchange.Core.Pull;

/// <summary>Settings of streamed pulls (section <c>Pull</c>; <c>Pull:HashKey</c> is read by <see cref="MaskKey"/>).</summary>
public sealed class PullOptions
{
    /// <summary>
    /// Rows a stream reads per query before it returns the connection to the pool and writes them out.
    /// Default 5000: ~1 MB of NDJSON at the usual 200 bytes a row, one keyset query of a few tens of
    /// milliseconds; the benchmark's <c>chunked_vs_one_chunk</c> shows what the chunk boundaries cost.
    /// </summary>
    public int StreamChunkRows { get; set; } = 5000;

    /// <summary>
    /// Most bytes of shaped output a chunk holds before it is written: a stream's memory when rows are
    /// large (a record may be up to <c>Ingestion:MaxRecordBytes</c>). Default 4 MiB.
    /// </summary>
    public int StreamChunkBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Streams one API key may have open at once on one API node; past it 429 <c>too-many-streams</c>. Default 4.</summary>
    public int MaxStreamsPerKey { get; set; } = 4;

    /// <summary>Streams the keys of one agency may have open at once on one API node. Default 16.</summary>
    public int MaxStreamsPerAgency { get; set; } = 16;

    /// <summary>
    /// Share of the connection pool (<c>Maximum Pool Size</c>, default 100) that streams may use at once
    /// to read chunks; the rest stays free for the catalogue, pages and everything else. Default 0.5.
    /// </summary>
    public double StreamPoolShare { get; set; } = 0.5;

    /// <summary>
    /// Connections of the pool JSON pages read on (<see cref="ReadDataSource"/>), besides the shared pool.
    /// Default 20: a page holds one for a query of a millisecond or two, so more than a few per core only queue in PostgreSQL.
    /// </summary>
    public int ReadPoolSize { get; set; } = 20;
}
