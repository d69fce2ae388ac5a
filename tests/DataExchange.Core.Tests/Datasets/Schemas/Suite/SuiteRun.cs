using System.Text.Json;
using DataExchange.Core.Common;
using DataExchange.Core.Datasets.Schemas;
using DataExchange.Core.Ingestion;

namespace DataExchange.Core.Tests.Datasets.Schemas.Suite;

/// <summary>
/// Runs suite cases through the calls registration and ingestion make: the schema is vetted and compiled as a
/// registered schema is, the suite's remotes being registered shared components; the instance is judged by the
/// schema, then (when it is an object) as an NDJSON record, then (when it is a flat object whose cells a CSV
/// would give back unchanged) as a CSV row on the fast path. Every verdict must equal the spec's.
/// </summary>
internal sealed class SuiteRun
{
    readonly Dictionary<string, (DatasetSchema? Schema, string? Refusal)> _schemas = new(StringComparer.Ordinal);

    // The suite's remotes, registered as shared components: those of a draft's own folder under that draft.
    static readonly ISchemaComponents Remotes = SchemaComponents.Of(OfficialSuite.Remotes().Select(r =>
        new SchemaComponent(r.Uri.AbsoluteUri, 1, r.Text, r.Uri.AbsolutePath.StartsWith("/draft2020-12/", StringComparison.Ordinal) ? SchemaDraft.Draft202012 : SchemaDraft.Draft7)));

    public int Right { get; private set; }
    public List<string> Wrong { get; } = [];
    public List<string> Crashed { get; } = [];
    public List<string> Refused { get; } = [];

    public void Run(SuiteCase c)
    {
        var text = SchemaText(c);
        if (!_schemas.TryGetValue(text, out var loaded))
        {
            try { loaded = (DatasetSchema.LoadAny(text, Remotes), null); }
            catch (InvalidException e) { loaded = (null, e.Errors.Count > 0 ? $"{e.Errors[0].Code} at {e.Errors[0].Pointer}: {e.Errors[0].Message}" : $"{e.Code}: {e.Message}"); }
            catch (Exception e) { loaded = (null, "crash: " + e.GetType().Name + ": " + e.Message); }
            _schemas[text] = loaded;
        }
        if (loaded.Schema is not { } schema)
        {
            (loaded.Refusal!.StartsWith("crash: ", StringComparison.Ordinal) ? Crashed : Refused).Add($"{c} — {loaded.Refusal}");
            return;
        }
        try
        {
            var wrong = Verdicts(schema, c).Where(v => v.Valid != c.Valid).Select(v => v.Path).ToList();
            if (wrong.Count == 0) Right++;
            else Wrong.Add($"{c} — spec says {(c.Valid ? "valid" : "invalid")}; {string.Join(", ", wrong)} said otherwise");
        }
        catch (Exception e)
        {
            Crashed.Add($"{c} — {e.GetType().Name}: {e.Message}");
        }
    }

    /// <summary>
    /// The case's schema as registered. In 2020-12 format is an annotation unless the metaschema has the
    /// format-assertion vocabulary, and optional/format is for validators that assert it: those cases name the
    /// suite's own format-assertion metaschema, as a steward who wants formats checked does.
    /// </summary>
    static string SchemaText(SuiteCase c)
    {
        if (c.File.StartsWith("draft2020-12/optional/format/", StringComparison.Ordinal) && c.Schema is System.Text.Json.Nodes.JsonObject o
            && o["$schema"]?.ToString() == "https://json-schema.org/draft/2020-12/schema")
        {
            var copy = o.DeepClone().AsObject();
            copy["$schema"] = new Uri(OfficialSuite.RemoteBase, "draft2020-12/format-assertion-true.json").AbsoluteUri;
            return copy.ToJsonString();
        }
        return c.Schema?.ToJsonString() ?? "null";
    }

    static IEnumerable<(string Path, bool Valid)> Verdicts(DatasetSchema schema, SuiteCase c)
    {
        yield return ("schema", schema.Validate(c.Instance).Count == 0);
        if (c.Instance.ValueKind != JsonValueKind.Object) yield break;
        var json = c.Instance.GetRawText();
        yield return ("ndjson", IngestionVerdict(new RecordValidator(schema, []).Process(new SourceRecord(1, null, json, json), [])));
        if (CsvRow(schema, c.Instance) is { } row)
            yield return ("csv", IngestionVerdict(new RecordValidator(schema, []).Process(new SourceRecord(2, row.Cells, null, string.Join(",", row.Cells)), row.Header)));
    }

    // A record quarantined only for what storage cannot hold (a NUL, a number beyond numeric) was not judged by
    // the schema: those errors carry no schema pointer.
    static bool IngestionVerdict((StagedRecord? Staged, QuarantinedRecord? Quarantined) result) =>
        result.Staged is not null || result.Quarantined!.Value.Errors.All(e => e.SchemaPointer.Length == 0);

    /// <summary>The instance as a CSV row, when every member is a scalar that its column's coercion gives back exactly.</summary>
    static (string[] Header, string[] Cells)? CsvRow(DatasetSchema schema, JsonElement instance)
    {
        var header = new List<string>();
        var cells = new List<string>();
        foreach (var member in instance.EnumerateObject())
        {
            var value = JsonItem.Of(member.Value);
            var cell = member.Value.ValueKind switch
            {
                JsonValueKind.String => member.Value.GetString()!,
                JsonValueKind.Number => member.Value.GetRawText(),
                JsonValueKind.True => "true",
                JsonValueKind.False => "false",
                JsonValueKind.Null => "",
                _ => null,
            };
            if (cell is null || header.Contains(member.Name) || member.Name.Length == 0) return null;
            if (!DatasetSchema.TryCoerce(schema.ColumnType(member.Name), cell, out var coerced, out var present) || !present || !JsonValues.DeepEquals(coerced, value)) return null;
            header.Add(member.Name);
            cells.Add(cell);
        }
        return header.Count == 0 ? null : ([.. header], [.. cells]);
    }
}
