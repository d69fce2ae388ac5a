using System.Runtime.CompilerServices;
using System.Text;
using CsvHelper;
using DataExchange.Core.Feeds;

namespace DataExchange.Core.Ingestion;

/// <summary>
/// Reads a spooled payload as a stream of <see cref="SourceRecord"/>s: CSV (CsvHelper), a JSON
/// array or NDJSON, optionally gzip-compressed, in UTF-8 or GB18030/GBK. Holds one record at a
/// time, so memory does not grow with the payload. Strict (issue 12): a byte invalid in the feed's
/// encoding fails the run, and a payload that ends inside a quoted field, an array or a JSON line is
/// refused as truncated, since a snapshot of a cut payload deletes every record past the cut.
/// </summary>
public static class PayloadReader
{
    /// <summary>The payload's records; <paramref name="header"/> receives the CSV header (empty for JSON).</summary>
    public static IAsyncEnumerable<SourceRecord> ReadAsync(string path, FeedDefinition feed, IngestionOptions options,
        StrongBox<string[]> header, CancellationToken cancellationToken) => ReadAsync(path, feed, options, header, null, cancellationToken);

    /// <summary>
    /// The payload's records; <paramref name="header"/> receives the CSV header (empty for JSON), and
    /// <paramref name="position"/>, after each record, how many bytes of the file have been read (compressed bytes for gzip).
    /// </summary>
    public static IAsyncEnumerable<SourceRecord> ReadAsync(string path, FeedDefinition feed, IngestionOptions options,
        StrongBox<string[]> header, StrongBox<long>? position, CancellationToken cancellationToken) => ReadAsync(path, feed, options, header, position, null, cancellationToken);

    /// <summary>
    /// The records of <paramref name="lines"/> only (all when null), the payload read and checked whole as always: a CSV row of
    /// another line is parsed but becomes no record (no cells, no raw copy), which makes reading a payload again for a few lines cheap.
    /// </summary>
    internal static IAsyncEnumerable<SourceRecord> ReadAsync(string path, FeedDefinition feed, IngestionOptions options,
        StrongBox<string[]> header, StrongBox<long>? position, IReadOnlySet<long>? lines, CancellationToken cancellationToken) =>
        ReadAsync(path, feed, options, header, position, lines, null, cancellationToken);

    /// <summary>
    /// The payload's records, CSV rows known by their source row hash read by their key alone when <paramref name="probe"/> is
    /// given (<see cref="CsvRowProbe"/>).
    /// </summary>
    internal static async IAsyncEnumerable<SourceRecord> ReadAsync(string path, FeedDefinition feed, IngestionOptions options,
        StrongBox<string[]> header, StrongBox<long>? position, IReadOnlySet<long>? lines, CsvRowProbe? probe, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        var decompressed = OpenDecompressed(file, feed.Gzip, options.MaxDecompressedBytes);
        await using var input = options.MaxReadBytesPerSecond > 0 ? new ThrottledStream(decompressed, options.MaxReadBytesPerSecond) : decompressed;
        // Every parser reads validated UTF-8, whatever the feed's encoding.
        var text = new StrictTextStream(input, feed.Encoding);
        var records = feed.Format switch
        {
            "json" => new JsonArrayReader(text, options.MaxRecordBytes).Records(),
            "ndjson" => new NdjsonReader(text, options.MaxRecordBytes).Records(),
            _ => ReadCsv(text, feed, options, header, lines, probe),
        };
        foreach (var record in records)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (lines is not null && !lines.Contains(record.Line)) continue;
            if (position is not null) Volatile.Write(ref position.Value, file.Position);
            yield return record;
        }
        // Read to the very end even when the parser stopped early: a gzip payload is checked for a cut there.
        var rest = new byte[4096];
        while (await input.ReadAsync(rest, cancellationToken) > 0) { }
    }

    /// <summary>Whether the payload at <paramref name="path"/> is read as gzip: as the feed says, else by its magic bytes.</summary>
    public static bool IsGzip(string path, bool? gzip)
    {
        if (gzip is { } said) return said;
        using var file = File.OpenRead(path);
        Span<byte> magic = stackalloc byte[2];
        return file.Read(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    }

    static Stream OpenDecompressed(FileStream file, bool? gzip, long maxDecompressed)
    {
        Span<byte> magic = stackalloc byte[2];
        var n = file.Read(magic);
        file.Position = 0;
        var isGzip = gzip ?? (n == 2 && magic[0] == 0x1f && magic[1] == 0x8b);
        return isGzip ? new LimitedStream(new GzipPayloadStream(file), maxDecompressed) : file;
    }

    const int RawChunkBytes = 1 << 16;

    static IEnumerable<SourceRecord> ReadCsv(Stream utf8, FeedDefinition feed, IngestionOptions options, StrongBox<string[]> header, IReadOnlySet<long>? lines,
        CsvRowProbe? probe)
    {
        CsvMalformedRecord? unterminated = null;
        var csvOptions = new CsvReaderOptions
        {
            Separator = feed.Delimiter![0],
            Quote = feed.Quote![0],
            HasHeader = true,
            TrackLineNumbers = true,
            // PoolStrings stays off: with it, parse and validate of the benchmark's CSV took more CPU (16.0 against
            // 12.2 and 14.9 s, two alternating runs of `validate --rows 200000`), the pool's lookups costing more than the strings.
            MaxRecordSize = options.MaxRecordBytes,
            // Other malformed quoting is recovered as before (the validator sees the cells); only a quote left
            // open at the end is refused: it swallowed the rest of a file once, 3 rows of 1,000 published.
            OnMalformedRecord = r => unterminated ??= r.Reason == CsvMalformedReason.UnterminatedQuote ? r : null,
        };
        using var csv = CsvReader.Create(utf8, csvOptions, leaveOpen: true);
        header.Value = [.. csv.Headers];
        ThrowIfOpen(unterminated, feed);
        var reading = probe?.For(header.Value);
        // The rows' raw bytes, copied into shared chunks: one allocation per 64 KiB rather than a string per row.
        var chunk = Array.Empty<byte>();
        var used = 0;
        while (csv.Read())
        {
            ThrowIfOpen(unterminated, feed);
            if (lines is not null && !lines.Contains(csv.LineNumber)) continue;
            if (reading is not null)
            {
                var rawLength = CopyRaw(csv, ref chunk, ref used);
                yield return reading.Read(csv, csv.LineNumber, new ReadOnlyMemory<byte>(chunk, used - rawLength, rawLength));
                continue;
            }
            var cells = new string[csv.FieldCount];
            for (var i = 0; i < cells.Length; i++) cells[i] = csv.GetString(i) ?? "";
            var length = CopyRaw(csv, ref chunk, ref used);
            yield return new SourceRecord(csv.LineNumber, cells, new ReadOnlyMemory<byte>(chunk, used - length, length));
        }
        ThrowIfOpen(unterminated, feed);
    }

    /// <summary>Appends the current record's raw bytes to <paramref name="chunk"/> (a new one when full); returns their length.</summary>
    static int CopyRaw(CsvReader csv, ref byte[] chunk, ref int used)
    {
        var raw = csv.RawRecord;
        if (raw.Length > chunk.Length - used) (chunk, used) = (new byte[Math.Max(RawChunkBytes, raw.Length)], 0);
        raw.CopyTo(chunk.AsSpan(used));
        used += raw.Length;
        return raw.Length;
    }

    static void ThrowIfOpen(CsvMalformedRecord? record, FeedDefinition feed)
    {
        if (record is not { } open) return;
        var line = open.LineNumber + CsvQuotes.LinesBeforeOpenQuote(open.RawRecord, feed.Delimiter![0], feed.Quote![0]);
        throw new TruncatedPayloadException(
            $"The CSV payload is truncated: it ends inside a quoted field opened on line {line}, which is never closed. Nothing from it was published.");
    }
}
