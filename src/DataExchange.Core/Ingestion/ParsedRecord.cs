using System.Text;
using System.Text.Json;
using DataExchange.Core.Common;
using DataExchange.Core.Datasets.Schemas;

namespace DataExchange.Core.Ingestion;

/// <summary>
/// One source record on its way through <see cref="RecordValidator"/>: a parsed JSON object, or the
/// coerced cells of a CSV row. Either way it yields its key, its canonical text and the JSON element
/// the schema validates, which is always the content that would be stored (without the delete marker,
/// with only the last of duplicate names).
/// </summary>
internal sealed class ParsedRecord : IDisposable
{
    JsonDocument? _document;
    readonly SortedDictionary<string, JsonItem>? _cells;
    readonly string? _skip;

    ParsedRecord(JsonDocument? document, SortedDictionary<string, JsonItem>? cells, string? skip, bool marked)
    {
        _document = document;
        _cells = cells;
        _skip = skip;
        Marked = marked;
    }

    /// <summary>A JSON object record; <paramref name="skip"/> is the delete marker's name, not part of the content.</summary>
    public static ParsedRecord FromJson(JsonDocument document, string? skip, bool marked) => new(document, null, skip, marked);

    /// <summary>A CSV row's coerced cells (without the marker column).</summary>
    public static ParsedRecord FromCells(SortedDictionary<string, JsonItem> cells, bool marked) => new(null, cells, null, marked);

    /// <summary>Whether the delete marker said "delete".</summary>
    public bool Marked { get; }

    /// <summary>The record as validated; only after <see cref="Canonical"/> gave text.</summary>
    public JsonElement Root => _document!.RootElement;

    /// <summary>The unfolded key (see <see cref="RecordShaper.Key{TRecord}"/>); throws when a key value cannot be stored.</summary>
    public string? Key(IReadOnlyList<string> keyFields, out string? missing) => _cells is not null
        ? RecordShaper.Key(keyFields, _cells, static (c, _, field) => c.TryGetValue(field, out var v) ? v : null, out missing)
        : RecordShaper.Key(_document!.RootElement, keyFields, out missing);

    /// <summary>The canonical text, or null with an error added when the content cannot be stored.</summary>
    public string? Canonical(List<RecordError> errors, int version)
    {
        try
        {
            if (_cells is not null)
            {
                var text = OfCells(_cells);
                _document = JsonDocument.Parse(text);
                return text;
            }
            var canonical = CanonicalJson.Of(_document!.RootElement, _skip, out var rewritten);
            if (rewritten)
            {
                _document.Dispose();
                _document = JsonDocument.Parse(canonical);
            }
            return canonical;
        }
        catch (CanonicalFormException e)
        {
            errors.Add(new RecordError(e.Code, e.Pointer, "", e.Message, version));
            return null;
        }
    }

    static string OfCells(SortedDictionary<string, JsonItem> cells)
    {
        var sb = new StringBuilder(256).Append('{');
        foreach (var (name, value) in cells)
        {
            if (sb.Length > 1) sb.Append(',');
            try
            {
                CanonicalJson.AppendString(sb, name);
                sb.Append(':');
                CanonicalJson.AppendScalar(sb, value);
            }
            catch (CanonicalFormException e) { throw e.Under(SchemaPointers.Escape(name)); }
        }
        return sb.Append('}').ToString();
    }

    public void Dispose() => _document?.Dispose();
}
