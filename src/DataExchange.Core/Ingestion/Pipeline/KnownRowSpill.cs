using Npgsql;

namespace DataExchange.Core.Ingestion;

/// <summary>
/// The stage rows a re-ingest keeps out of the stage while a proof is likely (issue 14, <see cref="ProvenDiff"/>): the rows
/// read by their source row hash alone whose key was new to the run (P), appended to a file beside the payload in the
/// stage's binary COPY row format as the stage's single writer meets them, and copied into the stage as they are
/// (<see cref="StageAsync"/>) only if the proof fails, which leaves the stage exactly as the full path would have written it.
/// Reading the payload again instead would parse and hash every known row a second time (the staging's own cost, 1-2 s of
/// client time per million CSV rows) in every run with a deletion; the spill costs writing about 90 bytes a row to the page
/// cache. Memory holds one buffer; named like a spooled payload, so a killed worker's is removed with its payload
/// (<see cref="Feeds.SpoolFiles"/>); deleted when disposed.
/// </summary>
internal sealed class KnownRowSpill : IDisposable
{
    readonly FileStream _file;
    readonly BinaryCopyWriter _rows;

    /// <summary>A new spill in <paramref name="directory"/>.</summary>
    public KnownRowSpill(string directory)
    {
        _file = new FileStream(Feeds.SpoolFiles.NewPath(directory), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 0,
            FileOptions.DeleteOnClose | FileOptions.SequentialScan);
        _rows = BinaryCopyWriter.ToFile(_file);
    }

    /// <summary>How many rows were added.</summary>
    public long Count { get; private set; }

    /// <summary>Appends the stage row of a known row that was not staged (its key new to the run, so <c>dup</c> false).</summary>
    public void Add(long line, string key, byte[] raw)
    {
        RunStager.WriteKnownRow(_rows, line, key, raw, dup: false);
        Count++;
    }

    /// <summary>Copies every row added into the temp table <c>stage</c> of <paramref name="conn"/>; returns how many.</summary>
    public async Task<long> StageAsync(NpgsqlConnection conn, CancellationToken cancellationToken)
    {
        _rows.FlushRows();
        _file.Position = 0;
        var buffer = new byte[1 << 16];
        await using var copy = await BinaryCopyWriter.BeginAsync(conn, RunStager.CopyStageSql, cancellationToken);
        int n;
        while ((n = await _file.ReadAsync(buffer, cancellationToken)) > 0) copy.Raw(buffer.AsSpan(0, n));
        await copy.CompleteAsync(cancellationToken);
        return Count;
    }

    /// <summary>Closes and deletes the file.</summary>
    public void Dispose() => _file.Dispose();
}
