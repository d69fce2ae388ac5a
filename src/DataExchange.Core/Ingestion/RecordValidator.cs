using System.Text.Json;
using DataExchange.Core.Datasets.Schemas;

namespace DataExchange.Core.Ingestion;

/// <summary>
/// A record that passed validation, ready for staging; <paramref name="Delete"/> when its delete marker was set;
/// <paramref name="Checked"/> false when its hash was probably published already and the evaluator was skipped
/// (the run verifies those against the published records); <paramref name="Raw"/> the hash of its source row (<see cref="SourceRowHash"/>).
/// </summary>
public readonly record struct StagedRecord(long Line, string Key, byte[] Hash, string Data, bool Delete = false, bool Checked = true, byte[]? Raw = null);

/// <summary>
/// A record that failed, with its errors, for quarantine; <paramref name="Key"/> is its key when one could be
/// read from it (a snapshot keeps that key's published record rather than deleting it).
/// </summary>
public readonly record struct QuarantinedRecord(long Line, string Raw, IReadOnlyList<RecordError> Errors, string? Key = null)
{
    /// <summary>Whether the record was quarantined because its patterns ran out of time.</summary>
    public bool TimedOut => Errors is [{ Code: RecordValidator.PatternTimeout }];

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

    // Duplicate member names are allowed, as before; the canonical form keeps the last, as jsonb does.
    static readonly JsonDocumentOptions JsonOptions = new() { MaxDepth = 64 };

    readonly PublishedHashes _published = published ?? PublishedHashes.None;

    /// <summary>The code of the error of a record whose patterns could not be checked within <see cref="PatternBudget"/>.</summary>
    public const string PatternTimeout = "pattern-timeout";

    /// <summary>The time the pattern matches of one record may take together. Default <see cref="IngestionOptions.PatternBudget"/>'s.</summary>
    public TimeSpan PatternBudget { get; init; } = new IngestionOptions().PatternBudget;

    /// <summary>Validates <paramref name="source"/>; exactly one of the results is set.</summary>
    public (StagedRecord? Staged, QuarantinedRecord? Quarantined) Process(in SourceRecord source, string[] header)
    {
        using var budget = Datasets.Schemas.PatternBudget.Start(PatternBudget);
        try
        {
            return Evaluate(source, header);
        }
        catch (PatternTimeoutException e)
        {
            return (null, TimedOut(source, header, e));
        }
    }

    /// <summary>The quarantined record for a pattern timeout, with its key when it has one (its published record is kept).</summary>
    QuarantinedRecord TimedOut(in SourceRecord source, string[] header, PatternTimeoutException e)
    {
        var ignored = new List<RecordError>();
        using var record = source.Cells is { } cells ? FromCells(cells, header, ignored) : FromJson(source.Json!, ignored);
        var key = record is null ? null : ReadKey(record, ignored, out _);
        return new QuarantinedRecord(source.Line, source.Raw, [new RecordError(PatternTimeout, e.Pointer, e.SchemaPointer, e.Message, schema.Version)], key);
    }

    (StagedRecord? Staged, QuarantinedRecord? Quarantined) Evaluate(in SourceRecord source, string[] header)
    {
        if (source.Cells is { } row && UseFastPath && TryFastCsv(source, row, header, out var fast)) return (fast, null);
        var errors = new List<RecordError>();
        using var record = source.Cells is { } cells ? FromCells(cells, header, errors) : FromJson(source.Json!, errors);
        if (record is null) return (null, new QuarantinedRecord(source.Line, source.Raw, errors));
        var key = ReadKey(record, errors, out var missing);
        if (record.Marked)
        {
            if (key is not null) return (new StagedRecord(source.Line, key, DeletedHash, "{}", Delete: true), null);
            if (missing is not null)
                errors.Add(new RecordError("key-missing", "/" + missing, "", $"Key field '{missing}' has no value; a delete needs the key.", schema.Version));
            return (null, new QuarantinedRecord(source.Line, source.Raw, errors));
        }
        var data = record.Canonical(errors, schema.Version);
        byte[]? hash = null;
        // Content already published under this schema version was valid then and is valid now: the
        // evaluator is skipped (a "maybe" of the filter is verified by the run, not trusted here).
        if (errors.Count == 0 && !_published.IsEmpty && key is not null && data is not null)
        {
            hash = RecordShaper.Hash(data);
            if (_published.MightContain(hash) && !HasNul(data, key))
                return (new StagedRecord(source.Line, key, hash, data, Checked: false), null);
        }
        if (data is not null)
            foreach (var e in schema.Validate(record.Root))
                if (!errors.Exists(c => c.Pointer == e.Pointer)) errors.Add(e);
        if (key is null && missing is not null && !errors.Exists(c => c.Pointer == "/" + missing))
            errors.Add(new RecordError("key-missing", "/" + missing, "", $"Key field '{missing}' has no value.", schema.Version));
        if (errors.Count == 0)
        {
            // PostgreSQL text and jsonb cannot hold NUL; such a record is quarantined, not a failed run.
            if (HasNul(data!, key!))
                errors.Add(new RecordError("nul-character", "", "", "The record contains a NUL character, which cannot be stored.", schema.Version));
            else
                return (new StagedRecord(source.Line, key!, hash ?? RecordShaper.Hash(data!), data!), null);
        }
        return (null, new QuarantinedRecord(source.Line, source.Raw, errors, key));
    }

    /// <summary>
    /// The folded key, or null: with <paramref name="missing"/> naming an empty key field, or with an
    /// error added when the key cannot be stored (too long, a lone surrogate, a number beyond numeric).
    /// </summary>
    string? ReadKey(ParsedRecord record, List<RecordError> errors, out string? missing)
    {
        missing = null;
        string? key;
        try { key = record.Key(keyFields, out missing); }
        catch (Exception e) when (e is InvalidOperationException or CanonicalFormException)
        {
            // The canonical form meets the same value and reports it where it is; a delete has no canonical form.
            var problem = e as CanonicalFormException ?? CanonicalFormException.InvalidUnicode();
            if (record.Marked) errors.Add(new RecordError(problem.Code, "", "", "The key cannot be read: " + problem.Message, schema.Version));
            return null;
        }
        if (key is not null && RecordShaper.IsTooLong(key))
        {
            errors.Add(new RecordError("key-too-long", "", "",
                $"The key is longer than {RecordShaper.MaxKeyBytes} bytes of UTF-8, the longest the exchange indexes.", schema.Version));
            return null;
        }
        return key is null ? null : Fold(key);
    }

    static bool HasNul(string data, string key) => data.Contains("\\u0000", StringComparison.Ordinal) || key.Contains('\0', StringComparison.Ordinal);

    string Fold(string key) => caseInsensitiveKeys ? key.ToLowerInvariant() : key;

    ParsedRecord FromCells(string[] cells, string[] header, List<RecordError> errors)
    {
        var record = new SortedDictionary<string, JsonItem>(StringComparer.Ordinal);
        if (cells.Length != header.Length)
            errors.Add(new RecordError("field-count", "", "", $"The row has {cells.Length} fields; the header has {header.Length}.", schema.Version));
        var n = Math.Min(cells.Length, header.Length);
        for (var i = 0; i < n; i++)
            if (schema.Coerce(record, header[i], cells[i]) is { } error) errors.Add(error);
        var marked = false;
        if (deleteMarker is not null && record.Remove(deleteMarker, out var marker)) marked = DeleteMarker.SaysDelete(marker);
        return ParsedRecord.FromCells(record, marked);
    }

    ParsedRecord? FromJson(string json, List<RecordError> errors)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, JsonOptions);
        }
        catch (JsonException e)
        {
            errors.Add(new RecordError("malformed-json", "", "", $"The record is not valid JSON: {e.Message}", schema.Version));
            return null;
        }
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            errors.Add(new RecordError("type", "", "/type", "The record is not a JSON object.", schema.Version));
            return null;
        }
        var marked = deleteMarker is not null && document.RootElement.TryGetProperty(deleteMarker, out var marker) && DeleteMarker.SaysDelete(JsonItem.Of(marker));
        return ParsedRecord.FromJson(document, deleteMarker, marked);
    }
}
