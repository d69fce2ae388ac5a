using System.Runtime.CompilerServices;
using System.Text;
using CsvHelper;
using DataExchange.Core.Feeds;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace DataExchange.Core.Ingestion;

/// <summary>
/// Reads a spooled payload as a stream of <see cref="SourceRecord"/>s: CSV (CsvHelper), a JSON
/// array or NDJSON, optionally gzip-compressed, in UTF-8 or GB18030/GBK. Holds one record at a
/// time, so memory does not grow with the payload.
/// </summary>
public static class PayloadReader
{
    static PayloadReader() => System.Text.Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    /// <summary>The payload's records; <paramref name="header"/> receives the CSV header (empty for JSON).</summary>
    public static async IAsyncEnumerable<SourceRecord> ReadAsync(string path, FeedDefinition feed, IngestionOptions options,
        StrongBox<string[]> header, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        await using var input = OpenDecompressed(file, feed.Gzip, options.MaxDecompressedBytes);
        var records = feed.Format switch
        {
            "json" => ReadJsonArray(input, TextEncoding(feed)),
            "ndjson" => ReadNdjson(input, TextEncoding(feed)),
            _ => ReadCsv(input, feed, options, header),
        };
        foreach (var record in records)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return record;
        }
        // Read to the very end even when the parser stopped early: a gzip payload is checked for a cut there.
        var rest = new byte[4096];
        while (await input.ReadAsync(rest, cancellationToken) > 0) { }
    }

    static Stream OpenDecompressed(FileStream file, bool? gzip, long maxDecompressed)
    {
        Span<byte> magic = stackalloc byte[2];
        var n = file.Read(magic);
        file.Position = 0;
        var isGzip = gzip ?? (n == 2 && magic[0] == 0x1f && magic[1] == 0x8b);
        return isGzip ? new LimitedStream(new GzipPayloadStream(file), maxDecompressed) : file;
    }

    static Encoding TextEncoding(FeedDefinition feed) => feed.Encoding switch
    {
        "gb18030" or "gbk" => System.Text.Encoding.GetEncoding("GB18030"),
        _ => new UTF8Encoding(false, throwOnInvalidBytes: false),
    };

    static IEnumerable<SourceRecord> ReadCsv(Stream input, FeedDefinition feed, IngestionOptions options, StrongBox<string[]> header)
    {
        var csvOptions = new CsvReaderOptions
        {
            Separator = feed.Delimiter![0],
            Quote = feed.Quote![0],
            HasHeader = true,
            TrackLineNumbers = true,
            MaxRecordSize = options.MaxRecordBytes,
            Encoding = feed.Encoding is "gb18030" or "gbk" ? TextEncoding(feed) : null,
        };
        using var csv = CsvReader.Create(input, csvOptions, leaveOpen: true);
        header.Value = [.. csv.Headers];
        while (csv.Read())
        {
            var cells = new string[csv.FieldCount];
            for (var i = 0; i < cells.Length; i++) cells[i] = csv.GetString(i) ?? "";
            yield return new SourceRecord(csv.LineNumber, cells, null, System.Text.Encoding.UTF8.GetString(csv.RawRecord));
        }
    }

    static IEnumerable<SourceRecord> ReadNdjson(Stream input, Encoding encoding)
    {
        using var reader = new StreamReader(input, encoding, detectEncodingFromByteOrderMarks: true, 1 << 16, leaveOpen: true);
        long line = 0;
        while (reader.ReadLine() is { } text)
        {
            line++;
            if (text.Length == 0 || string.IsNullOrWhiteSpace(text)) continue;
            yield return new SourceRecord(line, null, text, text);
        }
    }

    static IEnumerable<SourceRecord> ReadJsonArray(Stream input, Encoding encoding)
    {
        using var text = new StreamReader(input, encoding, detectEncodingFromByteOrderMarks: true, 1 << 16, leaveOpen: true);
        using var json = new JsonTextReader(text) { DateParseHandling = DateParseHandling.None, FloatParseHandling = FloatParseHandling.Decimal, MaxDepth = 64 };
        if (!json.Read() || json.TokenType != JsonToken.StartArray)
            throw new InvalidDataException("A json feed must be one array of objects.");
        // The "line" of a JSON array record is its position in the array: lines are not unique when
        // several elements share a line, and the pipeline keys staging and quarantine on it.
        long position = 0;
        while (true)
        {
            if (!json.Read()) throw new InvalidDataException($"The JSON array is not closed after {position} elements.");
            if (json.TokenType == JsonToken.EndArray) break;
            var element = JToken.ReadFrom(json).ToString(Formatting.None);
            yield return new SourceRecord(++position, null, element, element);
        }
        if (json.Read()) throw new InvalidDataException("There is content after the JSON array.");
    }
}
