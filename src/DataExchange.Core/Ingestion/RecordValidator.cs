using DataExchange.Core.Datasets.Schemas;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace DataExchange.Core.Ingestion;

/// <summary>
/// A record that passed validation, ready for staging; <paramref name="Delete"/> when its delete marker was set;
/// <paramref name="Checked"/> false when its hash was probably published already and the evaluator was skipped
/// (the run verifies those against the published records).
/// </summary>
public readonly record struct StagedRecord(long Line, string Key, byte[] Hash, string Data, bool Delete = false, bool Checked = true);

/// <summary>
/// A record that failed, with its errors, for quarantine; <paramref name="Key"/> is its key when one could be
/// read from it (a snapshot keeps that key's published record rather than deleting it).
/// </summary>
public readonly record struct QuarantinedRecord(long Line, string Raw, IReadOnlyList<RecordError> Errors, string? Key = null)
{
    /// <summary><see cref="Raw"/> as PostgreSQL text can hold it: a NUL is shown escaped rather than the record lost.</summary>
    public string StoredRaw => Raw.Replace("\0", "\\u0000", StringComparison.Ordinal);

    /// <summary><see cref="Key"/> as PostgreSQL text can hold it (a key with NUL matches no published key anyway).</summary>
    public string? StoredKey => Key?.Replace("\0", "\\u0000", StringComparison.Ordinal);

    /// <summary>
    /// The errors as the jsonb of <c>dx.rejected_records.errors</c>. jsonb refuses the \u0000 escape too
    /// (a NUL in a column name reaches the error pointers), so it is kept visible as text.
    /// </summary>
    public string StoredErrors => System.Text.Json.JsonSerializer.Serialize(Errors.Select(e => new { e.Code, e.Pointer, e.SchemaPointer, e.Message }), Common.Json.Options)
        .Replace("\\u0000", "\\\\u0000", StringComparison.Ordinal);
}

/// <summary>
/// Turns one source record into a staged or quarantined record: coerces CSV cells, validates
/// against the pinned schema, extracts the key and computes the canonical hash. Stateless, so
/// many run in parallel over one <see cref="DatasetSchema"/>. With <paramref name="caseInsensitiveKeys"/>
/// keys are case-folded; with a <paramref name="deleteMarker"/> field (incremental feeds) that field is
/// removed from every record, and a record where it is true only needs its key: it deletes that key.
/// A record whose hash is in <paramref name="published"/> (content published under this schema version)
/// is not evaluated again.
/// </summary>
public sealed partial class RecordValidator(DatasetSchema schema, IReadOnlyList<string> keyFields, bool caseInsensitiveKeys = false, string? deleteMarker = null,
    PublishedHashes? published = null)
{
    static readonly byte[] DeletedHash = System.Security.Cryptography.SHA256.HashData("deleted"u8);

    static readonly JsonSerializerSettings JsonSettings = new()
    {
        DateParseHandling = DateParseHandling.None,
        FloatParseHandling = FloatParseHandling.Decimal,
        MaxDepth = 64,
    };

    readonly PublishedHashes _published = published ?? PublishedHashes.None;

    /// <summary>Validates <paramref name="source"/>; exactly one of the results is set.</summary>
    public (StagedRecord? Staged, QuarantinedRecord? Quarantined) Process(in SourceRecord source, string[] header)
    {
        if (source.Cells is { } row && UseFastPath && TryFastCsv(source, row, header, out var fast)) return (fast, null);
        var errors = new List<RecordError>();
        JObject? record = source.Cells is { } cells ? FromCells(cells, header, errors) : FromJson(source.Json!, errors);
        string? readKey = null;
        if (record is not null && deleteMarker is not null && IsMarked(record))
        {
            var key = RecordShaper.Key(record, keyFields, out var missing);
            if (key is not null) return (new StagedRecord(source.Line, Fold(key), DeletedHash, "{}", Delete: true), null);
            errors.Add(new RecordError("key-missing", "/" + missing, "", $"Key field '{missing}' has no value; a delete needs the key.", schema.Version));
        }
        else if (record is not null)
        {
            var key = RecordShaper.Key(record, keyFields, out var missing);
            readKey = key is null ? null : Fold(key);
            string? data = null;
            byte[]? hash = null;
            // Content already published under this schema version was valid then and is valid now: the
            // evaluator is skipped (a "maybe" of the filter is verified by the run, not trusted here).
            if (errors.Count == 0 && !_published.IsEmpty && key is not null)
            {
                data = RecordShaper.Canonical(record);
                hash = RecordShaper.Hash(data);
                if (_published.MightContain(hash) && !HasNul(data, key))
                    return (new StagedRecord(source.Line, Fold(key), hash, data, Checked: false), null);
            }
            foreach (var e in schema.Validate(record))
                if (!errors.Exists(c => c.Pointer == e.Pointer)) errors.Add(e);
            if (key is null && missing is not null && !errors.Exists(c => c.Pointer == "/" + missing))
                errors.Add(new RecordError("key-missing", "/" + missing, "", $"Key field '{missing}' has no value.", schema.Version));
            if (errors.Count == 0)
            {
                data ??= RecordShaper.Canonical(record);
                // PostgreSQL text and jsonb cannot hold NUL; such a record is quarantined, not a failed run.
                if (HasNul(data, key!))
                    errors.Add(new RecordError("nul-character", "", "", "The record contains a NUL character, which cannot be stored.", schema.Version));
                else
                    return (new StagedRecord(source.Line, Fold(key!), hash ?? RecordShaper.Hash(data), data), null);
            }
        }
        return (null, new QuarantinedRecord(source.Line, source.Raw, errors, readKey));
    }

    static bool HasNul(string data, string key) => data.Contains("\\u0000", StringComparison.Ordinal) || key.Contains('\0', StringComparison.Ordinal);

    string Fold(string key) => caseInsensitiveKeys ? key.ToLowerInvariant() : key;

    /// <summary>Removes the delete marker from <paramref name="record"/>; whether it said "delete".</summary>
    bool IsMarked(JObject record)
    {
        var marker = record[deleteMarker!];
        record.Remove(deleteMarker!);
        return SaysDelete(marker);
    }

    /// <summary>Whether a delete marker's value says "delete".</summary>
    static bool SaysDelete(JToken? marker) =>
        marker switch
        {
            JValue { Type: JTokenType.Boolean } b => (bool)b,
            JValue { Type: JTokenType.String } t => ((string)t!).Trim().ToLowerInvariant() is "true" or "1" or "yes" or "y" or "t",
            JValue { Type: JTokenType.Integer } i => (long)i == 1,
            _ => false,
        };

    JObject FromCells(string[] cells, string[] header, List<RecordError> errors)
    {
        var record = new JObject();
        if (cells.Length != header.Length)
            errors.Add(new RecordError("field-count", "", "", $"The row has {cells.Length} fields; the header has {header.Length}.", schema.Version));
        var n = Math.Min(cells.Length, header.Length);
        // Columns are added in ordinal name order, so the canonical writer need not sort each record.
        foreach (var i in SortedColumns(header))
            if (i < n && schema.Coerce(record, header[i], cells[i]) is { } error) errors.Add(error);
        return record;
    }

    // A class, not a value tuple: validators run on several threads, and a reference is written
    // atomically where a two-field struct could be read half-written.
    sealed record ColumnOrder(string[] Header, int[] Order);

    ColumnOrder? _sorted;

    int[] SortedColumns(string[] header)
    {
        if (Volatile.Read(ref _sorted) is { } cached && ReferenceEquals(cached.Header, header)) return cached.Order;
        var order = Enumerable.Range(0, header.Length).OrderBy(i => header[i], StringComparer.Ordinal).ToArray();
        Volatile.Write(ref _sorted, new ColumnOrder(header, order));
        return order;
    }

    JObject? FromJson(string json, List<RecordError> errors)
    {
        try
        {
            if (JsonConvert.DeserializeObject<JToken>(json, JsonSettings) is JObject obj) return obj;
            errors.Add(new RecordError("type", "", "/type", "The record is not a JSON object.", schema.Version));
        }
        catch (JsonException e)
        {
            errors.Add(new RecordError("malformed-json", "", "", $"The record is not valid JSON: {e.Message}", schema.Version));
        }
        return null;
    }
}
