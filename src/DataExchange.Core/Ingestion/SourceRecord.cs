using System.Text;

namespace DataExchange.Core.Ingestion;

/// <summary>
/// One record as read from the payload, before validation: CSV cells, or the JSON text of one
/// object; with its line number and the raw text kept for quarantine. A CSV row keeps its raw
/// bytes as read (a slice of a buffer shared by many rows) and makes them text only when it is
/// quarantined: most rows never need it.
/// </summary>
public readonly record struct SourceRecord
{
    readonly string? _raw;
    readonly ReadOnlyMemory<byte> _rawUtf8;

    /// <summary>A record with its raw text.</summary>
    public SourceRecord(long line, string[]? cells, string? json, string raw)
    {
        Line = line;
        Cells = cells;
        Json = json;
        _raw = raw;
    }

    /// <summary>A CSV row with its raw UTF-8 bytes (no cells: a row read by its key alone, <see cref="KnownKey"/>).</summary>
    internal SourceRecord(long line, string[]? cells, ReadOnlyMemory<byte> rawUtf8)
    {
        Line = line;
        Cells = cells;
        _rawUtf8 = rawUtf8;
    }

    /// <summary>The line (CSV, NDJSON) or position (JSON array) of the record.</summary>
    public long Line { get; }

    /// <summary>The cells of a CSV row, else null.</summary>
    public string[]? Cells { get; }

    /// <summary>The JSON text of one object, else null.</summary>
    public string? Json { get; }

    /// <summary>The record as it appears in the payload.</summary>
    public string Raw => _raw ?? Encoding.UTF8.GetString(_rawUtf8.Span);

    /// <summary>A CSV row's raw UTF-8 bytes as read; empty for a record made from text (then see <see cref="Raw"/>).</summary>
    internal ReadOnlyMemory<byte> RawUtf8 => _rawUtf8;

    /// <summary>The row's source row hash when the reader computed it (<see cref="CsvRowProbe"/>), else null.</summary>
    internal byte[]? RawHash { get; init; }

    /// <summary>
    /// Set when the reader found the row's hash probably among the current records' (<see cref="CsvRowProbe"/>): the folded key
    /// of its record, read from its key cells alone. Such a record has no cells: it is staged by its key and hash, never evaluated.
    /// </summary>
    internal string? KnownKey { get; init; }
}
