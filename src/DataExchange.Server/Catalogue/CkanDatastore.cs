using System.Text.Json;
using System.Text.Json.Nodes;
using DataExchange.Core.Common;
using DataExchange.Core.Datasets;
using DataExchange.Core.Pull;

namespace DataExchange.Server.Catalogue;

/// <summary>
/// CKAN's datastore_search over a dataset's records (issue 17): read through the snapshot reader in pages of
/// 1,000 under the caller's policy (every page audited as a pull, quota counted), then CKAN's filters, q,
/// fields, offset and limit applied to the shaped records — so a filter can only match what the policy
/// shows. The total counts the matching records, reading to the end unless include_total is false.
/// </summary>
public sealed class CkanDatastore(SnapshotReader snapshot, DatasetRegistry registry)
{
    /// <summary>The datastore_search result for <paramref name="p"/>.</summary>
    public async Task<JsonObject> SearchAsync(Caller caller, CkanParameters p, CancellationToken ct)
    {
        var datasetId = p.Text("resource_id") ?? throw Missing("resource_id");
        var limit = p.Int("limit") ?? 100;
        var offset = p.Int("offset") ?? 0;
        if (limit is < 0 or > Paging.MaxLimit || offset < 0)
            throw new InvalidException("invalid-range", "limit is 0–1000 and offset at least 0.", [new("/limit", "range", "Use limit 0–1000, offset ≥ 0.")]);
        if (p.Text("sort") is not null)
            throw new InvalidException("sort-not-supported", "Records come in key order; sort is not supported.", [new("/sort", "unsupported", "Leave sort out.")]);
        var includeTotal = p.Bool("include_total") ?? true;
        var filters = p.Object("filters");
        var q = p.Node("q");
        var fields = p.List("fields");
        var dataset = await registry.FindAsync(datasetId, ct) ?? throw new NotFoundException($"Resource '{datasetId}' does not exist.");

        var records = new JsonArray();
        var (matched, version) = (0, 0);
        string? after = null;
        do
        {
            var page = await snapshot.ReadPageAsync(caller, datasetId, null, after, Paging.MaxLimit, ct);
            version = page.Version;
            foreach (var record in JsonNode.Parse(page.ItemsJson)!.AsArray().Select(r => r!.AsObject()))
            {
                if (!Matches(record, filters, q)) continue;
                if (matched >= offset && records.Count < limit) records.Add(Project(record, fields));
                matched++;
            }
            after = page.Next;
        } while (after is not null && (includeTotal || matched < offset + limit));

        var schema = await registry.GetSchemaAsync(datasetId, dataset.SchemaVersion, ct);
        var shown = records.Count > 0 ? records[0]!.AsObject().Select(m => m.Key) : fields ?? schema.PropertyNames;
        var result = new JsonObject
        {
            ["resource_id"] = datasetId, ["include_total"] = includeTotal, ["limit"] = limit, ["offset"] = offset, ["records_format"] = "objects",
            ["fields"] = new JsonArray([.. shown.Select(f => (JsonNode?)new JsonObject { ["id"] = f, ["type"] = TypeOf(schema.Document["properties"]?[f]) })]),
            ["records"] = records,
            ["_links"] = new JsonObject { ["start"] = $"/api/3/action/datastore_search?resource_id={Uri.EscapeDataString(datasetId)}&limit={limit}", ["next"] = $"/api/3/action/datastore_search?resource_id={Uri.EscapeDataString(datasetId)}&limit={limit}&offset={offset + limit}" },
            ["version"] = version,
        };
        if (includeTotal)
        {
            result["total"] = matched;
            // Counted, never estimated (CKAN estimates totals of large tables).
            result["total_was_estimated"] = false;
        }
        if (filters is not null) result["filters"] = filters.DeepClone();
        if (q is not null) result["q"] = q.DeepClone();
        return result;
    }

    static InvalidException Missing(string name) => new("missing-parameter", $"{name} is required.", [new("/" + name, "required", $"Give {name}.")]);

    // filters: field → value or list of values (JSON equality on the shaped value); q: text found in any
    // value, or field → text.
    static bool Matches(JsonObject record, JsonObject? filters, JsonNode? q)
    {
        foreach (var (field, wanted) in filters ?? [])
        {
            var value = record[field];
            var options = wanted is JsonArray list ? list : new JsonArray(wanted?.DeepClone());
            if (!options.Any(o => JsonNode.DeepEquals(o, value) || o is JsonValue ov && value is JsonValue vv && ov.ToString() == vv.ToString())) return false;
        }
        return q switch
        {
            null => true,
            JsonObject perField => perField.All(f => Contains(record[f.Key], f.Value?.ToString() ?? "")),
            _ => record.Any(m => Contains(m.Value, q.ToString())),
        };
    }

    static bool Contains(JsonNode? value, string text) =>
        value is JsonValue v && v.GetValueKind() != JsonValueKind.Null && v.ToString().Contains(text, StringComparison.OrdinalIgnoreCase);

    static JsonObject Project(JsonObject record, IReadOnlyList<string>? fields) =>
        fields is null ? record.DeepClone().AsObject() : new JsonObject([.. fields.Where(record.ContainsKey).Select(f => KeyValuePair.Create(f, record[f]?.DeepClone()))]);

    // CKAN's datastore types from the record schema's type.
    static string TypeOf(JsonNode? schema)
    {
        var type = schema?["type"] is JsonArray types ? types.Select(t => t!.ToString()).FirstOrDefault(t => t != "null") : schema?["type"]?.ToString();
        return type switch
        {
            "integer" => "int",
            "number" => "numeric",
            "boolean" => "bool",
            "object" or "array" => "json",
            _ => schema?["format"]?.ToString() is "date-time" or "date" ? "timestamp" : "text",
        };
    }
}
