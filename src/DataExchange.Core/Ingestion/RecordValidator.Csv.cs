using System.Text;
using DataExchange.Core.Common;
using DataExchange.Core.Datasets.Schemas;
using CellType = DataExchange.Core.Datasets.Schemas.DatasetSchema.CellType;

namespace DataExchange.Core.Ingestion;

/// <summary>
/// The fast path for CSV rows under a flat schema (<see cref="FlatRecordSchema"/>): cells are coerced to
/// scalars by the same rules, each checked against its member's subschema by the same evaluator code,
/// and the canonical JSON is written directly, without building a JSON document. It only ever answers with a
/// staged record the general path would give too; any row it cannot accept as is (an error of any kind,
/// a missing or too long key, a NUL, a number numeric cannot hold) goes through the general path, which
/// then produces the errors.
/// </summary>
public sealed partial class RecordValidator
{
    [ThreadStatic] static StringBuilder? _text;

    // The cell values of the row being checked, reused row after row on each thread: they never leave
    // TryFastCsv (the staged record holds only text). Present[i] is false when column i has no value.
    sealed class RowValues(int n)
    {
        public readonly JsonItem[] Values = new JsonItem[n];
        public readonly bool[] Present = new bool[n];
    }

    [ThreadStatic] static RowValues? _row;

    /// <summary>False sends every row through the general path (the differential tests compare both).</summary>
    internal bool UseFastPath { get; init; } = true;

    /// <summary>One column of the header, in ordinal name order, as the fast path handles it.</summary>
    sealed record Column(int Cell, CellType Type, SchemaNode? Schema, string Member);

    /// <summary>What the fast path needs per header; <see cref="Columns"/> null when it cannot take this header.</summary>
    sealed record CsvPlan(string[] Header, Column[]? Columns, int Marker, CellType MarkerType, int[] Required, int[] KeyColumns);

    CsvPlan? _plan;

    /// <summary>The staged record of a CSV row when the fast path can give it; false sends the row to the general path.</summary>
    internal bool TryFastCsv(in SourceRecord source, string[] cells, string[] header, out StagedRecord staged)
    {
        staged = default;
        var plan = Plan(header);
        if (plan.Columns is not { } columns || cells.Length != header.Length) return false;
        var row = _row is { } r && r.Values.Length >= columns.Length ? r : _row = new RowValues(columns.Length);
        for (var i = 0; i < columns.Length; i++)
            if (!DatasetSchema.TryCoerce(columns[i].Type, cells[columns[i].Cell], out row.Values[i], out row.Present[i])) return false;
        if (plan.Marker >= 0)
        {
            if (!DatasetSchema.TryCoerce(plan.MarkerType, cells[plan.Marker], out var marker, out var markerPresent)) return false;
            if (markerPresent && DeleteMarker.SaysDelete(marker))
            {
                if (Key(plan, row) is not { } deleted) return false;
                staged = new StagedRecord(source.Line, Fold(deleted), DeletedHash, "{}", Delete: true);
                return true;
            }
        }
        var key = Key(plan, row);
        string? data = null;
        byte[]? hash = null;
        if (!_published.IsEmpty && key is not null)
        {
            if ((data = Canonical(columns, row)) is null) return false;
            hash = RecordShaper.Hash(data);
            if (_published.MightContain(hash) && !HasNul(data, key))
            {
                staged = new StagedRecord(source.Line, Fold(key), hash, data, Checked: false);
                return true;
            }
        }
        if (key is null || !IsValid(plan, columns, row)) return false;
        data ??= Canonical(columns, row);
        if (data is null || HasNul(data, key)) return false;
        staged = new StagedRecord(source.Line, Fold(key), hash ?? RecordShaper.Hash(data), data);
        return true;
    }

    /// <summary>The folded key a row's record would have, read cheaply (CSV under a flat schema: its key cells alone); null sends the row the full way.</summary>
    internal string? KnownKey(in SourceRecord source, string[] header)
    {
        if (source.Cells is { } cells && UseFastPath && Plan(header) is { Columns: { } columns } && cells.Length == header.Length)
            return KeyFromCells(cells, header);
        var errors = new List<RecordError>();
        using var record = source.Cells is { } all ? FromCells(all, header, errors) : FromJson(source.Json!, errors);
        return record is null || record.Marked || errors.Count > 0 ? null : ReadKey(record, errors, out _);
    }

    /// <summary>The cells <see cref="KeyFromCells"/> reads: the key fields', where the fast path reads this header and has them all; else null.</summary>
    internal int[]? KeyCells(string[] header) =>
        UseFastPath && Plan(header) is { Columns: { } columns } plan && plan.KeyColumns.All(c => c >= 0) ? [.. plan.KeyColumns.Select(c => columns[c].Cell)] : null;

    /// <summary>The folded key of a row from its <see cref="KeyCells"/> alone (the others may be null); null sends it the full way (also a NUL, which text cannot hold).</summary>
    internal string? KeyFromCells(string[] cells, string[] header)
    {
        if (!UseFastPath || Plan(header) is not { Columns: { } columns } plan || cells.Length != header.Length) return null;
        var row = _row is { } r && r.Values.Length >= columns.Length ? r : _row = new RowValues(columns.Length);
        foreach (var c in plan.KeyColumns)
            if (c < 0 || !DatasetSchema.TryCoerce(columns[c].Type, cells[columns[c].Cell], out row.Values[c], out row.Present[c])) return null;
        return Key(plan, row) is { } key && !key.Contains('\0', StringComparison.Ordinal) ? Fold(key) : null;
    }

    // Null for a key the general path refuses (too long, or a number beyond numeric, which throws while
    // its canonical text is written), for deletes too: that path then reports it.
    string? Key(CsvPlan plan, RowValues row)
    {
        try
        {
            var key = RecordShaper.Key(keyFields, (plan.KeyColumns, row), static (r, i, _) => r.KeyColumns[i] is var c and >= 0 && r.row.Present[c] ? r.row.Values[c] : null, out _);
            return key is null || RecordShaper.IsTooLong(key) ? null : key;
        }
        catch (CanonicalFormException) { return null; }
    }

    bool IsValid(CsvPlan plan, Column[] columns, RowValues row)
    {
        foreach (var r in plan.Required)
            if (r < 0 || !row.Present[r]) return false;
        for (var i = 0; i < columns.Length; i++)
        {
            if (!row.Present[i]) continue;
            if (columns[i].Schema is not { } member) continue;
            try
            {
                if (!schema.Flat!.IsValid(member, row.Values[i])) return false;
            }
            catch (PatternTimeoutException e)
            {
                e.Within("/" + SchemaPointers.Escape(plan.Header[columns[i].Cell]));
                throw;
            }
        }
        return true;
    }

    /// <summary>The canonical text of the row, or null when a value cannot be stored (the general path says why).</summary>
    static string? Canonical(Column[] columns, RowValues row)
    {
        var sb = _text ??= new StringBuilder(1024);
        sb.Clear().Append('{');
        var first = true;
        for (var i = 0; i < columns.Length; i++)
        {
            if (!row.Present[i]) continue;
            if (!first) sb.Append(',');
            first = false;
            sb.Append(columns[i].Member);
            try { CanonicalJson.AppendScalar(sb, row.Values[i]); }
            catch (CanonicalFormException) { return null; }
        }
        var text = sb.Append('}').ToString();
        if (sb.Capacity > 1 << 16) _text = null; // one huge row does not pin its buffer to the thread
        return text;
    }

    CsvPlan Plan(string[] header)
    {
        if (Volatile.Read(ref _plan) is { } cached && ReferenceEquals(cached.Header, header)) return cached;
        var plan = BuildPlan(header);
        Volatile.Write(ref _plan, plan);
        return plan;
    }

    CsvPlan BuildPlan(string[] header)
    {
        var flat = schema.Flat;
        // Duplicate names overwrite each other in the general path; that path keeps them.
        if (flat is null || header.Distinct(StringComparer.Ordinal).Count() != header.Length)
            return new CsvPlan(header, null, -1, 0, [], []);
        var marker = deleteMarker is null ? -1 : Array.IndexOf(header, deleteMarker);
        var columns = Enumerable.Range(0, header.Length).Where(i => i != marker).OrderBy(i => header[i], StringComparer.Ordinal)
            .Select(i => new Column(i, schema.ColumnType(header[i]), flat.MemberSchema(header[i]), CanonicalJson.MemberName(header[i]))).ToArray();
        int At(string name) => Array.FindIndex(columns, c => header[c.Cell] == name);
        return new CsvPlan(header, columns, marker, marker >= 0 ? schema.ColumnType(deleteMarker!) : 0,
            [.. flat.Required.Select(At)], [.. keyFields.Select(At)]);
    }
}
