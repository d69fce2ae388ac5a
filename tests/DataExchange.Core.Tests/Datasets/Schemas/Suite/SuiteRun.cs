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

    public int Right { get; private set; }
    public List<string> Wrong { get; } = [];
    public List<string> Crashed { get; } = [];
    public List<string> Refused { get; } = [];

    public void Run(SuiteCase c)
    {
        var text = c.Schema?.ToJsonString() ?? "null";
        if (!_schemas.TryGetValue(text, out var loaded))
        {
            try { loaded = (DatasetSchema.LoadAny(text), null); }
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
