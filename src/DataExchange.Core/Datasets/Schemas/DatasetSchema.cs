using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DataExchange.Core.Common;

namespace DataExchange.Core.Datasets.Schemas;

/// <summary>
/// One schema version, vetted and compiled: validates records (the exchange's own
/// <see cref="SchemaEvaluator"/> over System.Text.Json (draft-07 or 2020-12), numbers compared exactly, strict formats) and
/// coerces CSV cells to the declared types. Immutable and thread-safe, so
/// parallel validators share one instance.
/// </summary>
public sealed class DatasetSchema
{
    readonly SchemaEvaluator _evaluator;
    readonly Dictionary<string, CellType> _columns;

    DatasetSchema(int version, string text, string fingerprint, JsonObject document, CompiledSchema compiled)
    {
        Version = version;
        Text = text;
        Fingerprint = fingerprint;
        Document = document;
        Components = compiled.Components;
        _evaluator = new SchemaEvaluator(compiled, version);
        _columns = ReadColumnTypes(document);
        Flat = FlatRecordSchema.TryCreate(_evaluator);
    }

    /// <summary>The version number within its dataset.</summary>
    public int Version { get; }

    /// <summary>The schema exactly as registered.</summary>
    public string Text { get; }

    /// <summary>SHA-256 (hex) of the canonical JSON.</summary>
    public string Fingerprint { get; }

    /// <summary>The parsed schema document.</summary>
    public JsonObject Document { get; }

    /// <summary>The shared components its references reached, at the versions it was compiled against.</summary>
    public IReadOnlyList<SchemaComponent> Components { get; }

    /// <summary>The CSV fast path's view of the schema when its root asserts only type, properties, required and additionalProperties; else null.</summary>
    internal FlatRecordSchema? Flat { get; }

    /// <summary>Top-level property names in schema order.</summary>
    public IEnumerable<string> PropertyNames => _columns.Keys;

    /// <summary>Vets and compiles <paramref name="text"/>; throws <see cref="InvalidException"/> listing every problem.</summary>
    /// <remarks>The work is synchronous (parse, vet, compile); the Task shape is the contract callers already use.</remarks>
    public static Task<DatasetSchema> LoadAsync(string text, int version, CancellationToken cancellationToken = default) =>
        Task.FromResult(Load(text, version, recordRoot: true, SchemaComponents.None));

    /// <summary>As <see cref="LoadAsync(string, int, CancellationToken)"/>, references outside the schema resolved among <paramref name="components"/>.</summary>
    public static DatasetSchema Load(string text, int version, ISchemaComponents components) => Load(text, version, recordRoot: true, components);

    /// <summary>
    /// Loads a schema for any JSON value, not only records (a boolean schema too): the conformance tests run the
    /// official suite's schemas through the same vetting and validation, and shared components are vetted so.
    /// </summary>
    internal static DatasetSchema LoadAny(string text, ISchemaComponents? components = null) => Load(text, 0, recordRoot: false, components ?? SchemaComponents.None);

    static DatasetSchema Load(string text, int version, bool recordRoot, ISchemaComponents components)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { MaxDepth = SchemaVetter.MaxDepth * 4 });
        }
        catch (JsonException e)
        {
            throw new InvalidException("invalid-schema", $"The schema is not valid JSON: {e.Message}");
        }
        if (node is not JsonObject document)
        {
            if (recordRoot || node?.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
                throw new InvalidException("invalid-schema", "The schema must be a JSON object.");
            document = new JsonObject { ["allOf"] = new JsonArray(node) };
        }
        var problems = new List<ProblemItem>();
        if (Encoding.UTF8.GetByteCount(text) is var size && size > SchemaVetter.MaxSchemaBytes)
            problems.Add(new("", "schema-too-large", $"The schema is {size} bytes; the limit is {SchemaVetter.MaxSchemaBytes}."));
        var compiled = SchemaCompiler.Compile(document, components, problems);
        if (problems.Count > 0 || compiled is null)
            throw new InvalidException(problems[0].Code, "The schema uses rules the exchange cannot enforce, or is malformed.", problems);
        if (recordRoot && document["type"]?.ToString() != "object")
            throw new InvalidException("invalid-schema", "A record schema must have \"type\": \"object\" at its root.", [new("/type", "type", "Set \"type\": \"object\".")]);
        var fingerprint = Convert.ToHexStringLower(SHA256.HashData(CanonicalJson.ToBytes(document)));
        return new DatasetSchema(version, text, fingerprint, document, compiled);
    }

    /// <summary>The errors of <paramref name="record"/> (any JSON value); empty when valid.</summary>
    public IReadOnlyList<RecordError> Validate(JsonElement record) => _evaluator.Errors(record);

    /// <summary>Whether any JSON value is valid, without collecting errors.</summary>
    internal bool IsValid(JsonElement record) => _evaluator.IsValid(record);

    /// <summary>
    /// Sets the cell <paramref name="value"/> of <paramref name="column"/> on <paramref name="record"/>,
    /// converted to the column's declared type. An empty cell means no value: null when the schema
    /// allows null, otherwise the property is left out so that <c>required</c> catches it.
    /// Returns an error, quoting the cell as written, when the text cannot be converted.
    /// </summary>
    internal RecordError? Coerce(IDictionary<string, JsonItem> record, string column, string value)
    {
        var type = ColumnType(column);
        if (!TryCoerce(type, value, out var cell, out var present))
            return new RecordError("type", "/" + column, $"/properties/{column}/type",
                $"'{Truncate(value)}' is not {Describe(type)}.", Version);
        if (present) record[column] = cell;
        return null;
    }

    /// <summary>The declared cell type of <paramref name="column"/> (string for columns the schema does not name).</summary>
    internal CellType ColumnType(string column) => _columns.GetValueOrDefault(column, CellType.String);

    /// <summary>
    /// The rules of <see cref="Coerce"/> for one cell: false when the text cannot be converted; otherwise
    /// the value, <paramref name="present"/> false when the cell is empty and the type does not allow null
    /// (no property). A number becomes its exact value in canonical text (131 stays 131, 1.50 stays 1.50,
    /// +7 and 007 become 7), never a double or decimal.
    /// </summary>
    internal static bool TryCoerce(CellType type, string value, out JsonItem cell, out bool present)
    {
        cell = JsonItem.Scalar(JsonValueKind.Null, null);
        present = true;
        if (value.Length == 0)
        {
            present = (type & CellType.Null) != 0;
            return true;
        }
        if ((type & CellType.Integer) != 0 && IsIntegerText(value))
            cell = JsonItem.Scalar(JsonValueKind.Number, CanonicalNumber(value));
        else if ((type & CellType.Number) != 0 && (ExactNumber.IsCanonical(value) || ExactNumber.TryParse(value, json: false, out _)))
            cell = JsonItem.Scalar(JsonValueKind.Number, CanonicalNumber(value));
        else if ((type & CellType.Boolean) != 0 && TryBoolean(value, out var b))
            cell = JsonItem.Scalar(b ? JsonValueKind.True : JsonValueKind.False, null);
        else if ((type & CellType.String) != 0)
            cell = JsonItem.Scalar(JsonValueKind.String, value);
        else
            return false;
        return true;
    }

    // Most cells are canonical already (131, 19.99) and are kept as they are, without parsing.
    // A number numeric cannot hold keeps a short exponent form; the canonical writer refuses it.
    static string CanonicalNumber(string cell) => ExactNumber.IsCanonical(cell) ? cell : ExactNumber.Parse(cell, json: false).ToString();

    // An integer cell is an optional sign and digits, as long.TryParse with AllowLeadingSign read it
    // (no white space, no point), now at any length.
    static bool IsIntegerText(string v)
    {
        var digits = v.AsSpan(v[0] is '+' or '-' ? 1 : 0);
        return digits.Length > 0 && !digits.ContainsAnyExceptInRange('0', '9');
    }

    static bool TryBoolean(string v, out bool b)
    {
        switch (v.Trim().ToLowerInvariant())
        {
            case "true" or "1" or "yes" or "y" or "t": b = true; return true;
            case "false" or "0" or "no" or "n" or "f": b = false; return true;
            default: b = false; return false;
        }
    }

    static string Describe(CellType type) =>
        (type & CellType.Integer) != 0 ? "an integer" : (type & CellType.Number) != 0 ? "a number" : (type & CellType.Boolean) != 0 ? "a boolean (true/false)" : "of the declared type";

    static string Truncate(string v) => v.Length <= 40 ? v : v[..40] + "…";

    /// <summary>What a CSV cell of a column may become, from the column's declared type(s).</summary>
    [Flags]
    internal enum CellType { String = 1, Integer = 2, Number = 4, Boolean = 8, Null = 16 }

    static Dictionary<string, CellType> ReadColumnTypes(JsonObject document)
    {
        var columns = new Dictionary<string, CellType>(StringComparer.Ordinal);
        if (document["properties"] is not JsonObject props) return columns;
        foreach (var (name, prop) in props)
        {
            var type = prop is JsonObject p ? p["type"] : null;
            var names = type is JsonArray arr ? arr.Select(t => t?.ToString() ?? "") : type is null ? ["string"] : [type.ToString()];
            CellType t = 0;
            foreach (var n in names)
                t |= n switch { "integer" => CellType.Integer, "number" => CellType.Number, "boolean" => CellType.Boolean, "null" => CellType.Null, _ => CellType.String };
            columns[name] = t;
        }
        return columns;
    }
}
