using System.Text;
using DataExchange.Core.Datasets.Schemas;
using Newtonsoft.Json.Linq;
using CellType = DataExchange.Core.Datasets.Schemas.DatasetSchema.CellType;

namespace DataExchange.Core.Ingestion;

/// <summary>
/// The fast path for CSV rows under a flat schema (<see cref="FlatRecordSchema"/>): cells are coerced to
/// scalars by the same rules, each checked against its member's subschema by the same evaluator code,
/// and the canonical JSON is written directly, without building a JObject. It only ever answers with a
/// staged record the JObject path would give too; any row it cannot accept as is (an error of any kind,
/// a missing key, a NUL) goes through the JObject path, which then produces the errors.
/// </summary>
public sealed partial class RecordValidator
{
    [ThreadStatic] static StringBuilder? _text;

    // The cell values of the row being checked, reused row after row on each thread: they never leave
    // TryFastCsv (the staged record holds only text), and a JValue takes its type from each new value.
    // Values[i] is Cells[i] when column i has a value, null when it has none.
    sealed class RowValues(int n)
    {
        public readonly JValue[] Cells = [.. Enumerable.Range(0, n).Select(_ => JValue.CreateNull())];
        public readonly JValue?[] Values = new JValue?[n];
    }

    [ThreadStatic] static RowValues? _row;

    /// <summary>False sends every row through the JObject path (the differential tests compare both).</summary>
    internal bool UseFastPath { get; init; } = true;

    /// <summary>One column of the header, in ordinal name order, as the fast path handles it.</summary>
    sealed record Column(int Cell, CellType Type, SchemaNode? Schema, string Member);

    /// <summary>What the fast path needs per header; <see cref="Columns"/> null when it cannot take this header.</summary>
    sealed record CsvPlan(string[] Header, Column[]? Columns, int Marker, CellType MarkerType, int[] Required, int[] KeyColumns);

    CsvPlan? _plan;

    /// <summary>The staged record of a CSV row when the fast path can give it; false sends the row to the JObject path.</summary>
    internal bool TryFastCsv(in SourceRecord source, string[] cells, string[] header, out StagedRecord staged)
    {
        staged = default;
        var plan = Plan(header);
        if (plan.Columns is not { } columns || cells.Length != header.Length) return false;
        var row = _row is { } r && r.Cells.Length >= columns.Length ? r : _row = new RowValues(columns.Length);
        var values = row.Values;
        for (var i = 0; i < columns.Length; i++)
        {
            if (!DatasetSchema.TryCoerce(columns[i].Type, cells[columns[i].Cell], out var scalar, out var present)) return false;
            values[i] = present ? row.Cells[i] : null;
            if (present) row.Cells[i].Value = scalar;
        }
        if (plan.Marker >= 0)
        {
            if (!DatasetSchema.TryCoerce(plan.MarkerType, cells[plan.Marker], out var marker)) return false;
            if (SaysDelete(marker))
            {
                if (Key(plan, values) is not { } deleted) return false;
                staged = new StagedRecord(source.Line, Fold(deleted), DeletedHash, "{}", Delete: true);
                return true;
            }
        }
        var key = Key(plan, values);
        string? data = null;
        byte[]? hash = null;
        if (!_published.IsEmpty && key is not null)
        {
            data = Canonical(columns, values);
            hash = RecordShaper.Hash(data);
            if (_published.MightContain(hash) && !HasNul(data, key))
            {
                staged = new StagedRecord(source.Line, Fold(key), hash, data, Checked: false);
                return true;
            }
        }
        if (key is null || !IsValid(plan, columns, values)) return false;
        data ??= Canonical(columns, values);
        if (HasNul(data, key)) return false;
        staged = new StagedRecord(source.Line, Fold(key), hash ?? RecordShaper.Hash(data), data);
        return true;
    }

    string? Key(CsvPlan plan, JValue?[] values) =>
        RecordShaper.Key(keyFields, (plan.KeyColumns, values), static (r, i, _) => r.KeyColumns[i] is var c and >= 0 ? r.values[c] : null, out _);

    bool IsValid(CsvPlan plan, Column[] columns, JValue?[] values)
    {
        foreach (var r in plan.Required)
            if (r < 0 || values[r] is null) return false;
        for (var i = 0; i < columns.Length; i++)
        {
            if (values[i] is not { } value) continue;
            if (columns[i].Schema is { } member && !schema.Flat!.IsValid(member, value)) return false;
        }
        return true;
    }

    static string Canonical(Column[] columns, JValue?[] values)
    {
        var sb = _text ??= new StringBuilder(1024);
        sb.Clear().Append('{');
        var first = true;
        for (var i = 0; i < columns.Length; i++)
        {
            if (values[i] is not { } value) continue;
            if (!first) sb.Append(',');
            first = false;
            sb.Append(columns[i].Member);
            CanonicalText.AppendScalar(sb, value);
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
        // Duplicate names overwrite each other in the JObject path; that path keeps them.
        if (flat is null || header.Distinct(StringComparer.Ordinal).Count() != header.Length)
            return new CsvPlan(header, null, -1, 0, [], []);
        var marker = deleteMarker is null ? -1 : Array.IndexOf(header, deleteMarker);
        var columns = Enumerable.Range(0, header.Length).Where(i => i != marker).OrderBy(i => header[i], StringComparer.Ordinal)
            .Select(i => new Column(i, schema.ColumnType(header[i]), flat.MemberSchema(header[i]), CanonicalText.MemberName(header[i]))).ToArray();
        int At(string name) => Array.FindIndex(columns, c => header[c.Cell] == name);
        return new CsvPlan(header, columns, marker, marker >= 0 ? schema.ColumnType(deleteMarker!) : 0,
            [.. flat.Required.Select(At)], [.. keyFields.Select(At)]);
    }
}
