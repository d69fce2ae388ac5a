using CsvHelper;

namespace DataExchange.Core.Ingestion;

/// <summary>
/// Lets the CSV reader skip the cells of rows known by their source row hash (issue 14): it hashes each row's raw bytes
/// as read (<see cref="SourceRowHash"/>) and, where the current records' filter says the hash is probably theirs, reads
/// the key cells alone and gives the row with its key (<see cref="SourceRecord.KnownKey"/>) and no cells, instead of ten
/// strings a row that nothing reads; every other row gets all its cells, as before, and its hash. A row whose key cannot
/// be read from its key cells gets all its cells too (the full path decides). Only where the key can be read from cells alone
/// (a flat schema, distinct header names, every key field a column: <see cref="RecordValidator.KeyCells"/>); else not used.
/// </summary>
internal sealed class CsvRowProbe(RowHashFilter rows, RecordValidator validator, Func<string[], SourceRowHash> hashFor)
{
    /// <summary>The reading of rows under <paramref name="header"/>, or null when every row needs its cells.</summary>
    public Reading? For(string[] header) =>
        rows.IsEmpty || validator.KeyCells(header) is not { } keyCells ? null : new Reading(rows, validator, hashFor(header), keyCells, header);

    internal sealed class Reading(RowHashFilter rows, RecordValidator validator, SourceRowHash hash, int[] keyCells, string[] header)
    {
        /// <summary>The record of the row <paramref name="csv"/> is on, whose raw bytes are <paramref name="raw"/>.</summary>
        public SourceRecord Read(CsvReader csv, long line, ReadOnlyMemory<byte> raw)
        {
            var rawHash = hash.Of(raw.Span);
            var cells = new string[csv.FieldCount];
            if (cells.Length == header.Length && rows.MightContain(rawHash))
            {
                foreach (var c in keyCells) cells[c] = csv.GetString(c) ?? "";
                if (validator.KeyFromCells(cells, header) is { } key)
                    return new SourceRecord(line, null, raw) { RawHash = rawHash, KnownKey = key };
            }
            for (var i = 0; i < cells.Length; i++) cells[i] ??= csv.GetString(i) ?? "";
            return new SourceRecord(line, cells, raw) { RawHash = rawHash };
        }
    }
}
