using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using DataExchange.Core.Common;

namespace DataExchange.Core.Subscriptions;

/// <summary>
/// The rules a steward attaches to an approval (schemas/access-policy.schema.json). Deny by default:
/// a field is visible only when the policy lists it, or when the policy lists no fields at all (the
/// whole record was approved); masks change values on the way out; filters restrict rows in SQL.
/// </summary>
public sealed record AccessPolicy(
    IReadOnlyList<string>? Fields,
    IReadOnlyDictionary<string, FieldMask> Masks,
    IReadOnlyList<RowFilter> Filters,
    long? DailyRowQuota,
    JsonObject Document)
{
    /// <summary>
    /// How the consumer may read (<see cref="AccessKind"/>): <c>pull</c> (pages, streams, change feeds) and
    /// <c>lookup</c> (one record by key, or a batch of keys). A policy that does not say allows both: a
    /// subscription approved for pulls may read every record anyway, so lookups on it reveal nothing more.
    /// A steward grants lookup-only with <c>"access": ["lookup"]</c>.
    /// </summary>
    public IReadOnlySet<string> Access { get; init; } = AccessKind.All;

    /// <summary>
    /// The purposes a lookup may name (issue 16); null when the policy names none, and then only the
    /// purpose the subscription was requested with is approved (<see cref="Approves"/>).
    /// </summary>
    public IReadOnlyList<string>? Purposes { get; init; }

    /// <summary>Whether a lookup for <paramref name="purpose"/> is approved, <paramref name="requested"/> being the subscription's own purpose.</summary>
    public bool Approves(string purpose, string? requested) =>
        Purposes is { } purposes ? purposes.Contains(purpose, StringComparer.Ordinal) : string.Equals(purpose, requested?.Trim(), StringComparison.Ordinal);

    /// <summary>Short hash of the canonical policy, stamped on audit entries and ETags.</summary>
    public string Hash { get; } = Convert.ToHexStringLower(SHA256.HashData(CanonicalJson.ToBytes(Document)))[..16];

    /// <summary>The owner's view: everything.</summary>
    public static AccessPolicy Owner { get; } = new(null, new Dictionary<string, FieldMask>(), [], null, new JsonObject { ["owner"] = true });

    /// <summary>Open data: every field, unmasked, for anyone (a public dataset its steward marked open).</summary>
    public static AccessPolicy Open { get; } = new(null, new Dictionary<string, FieldMask>(), [], null, new JsonObject { ["open"] = true });

    /// <summary>Whether <paramref name="field"/> is visible under this policy.</summary>
    public bool Allows(string field) => Fields is null || Fields.Contains(field, StringComparer.Ordinal);

    /// <summary>A summary for the decision endpoint (no data).</summary>
    public JsonObject Summary() => new()
    {
        ["hash"] = Hash,
        ["fields"] = Fields is null ? "all" : new JsonArray([.. Fields.Select(f => JsonValue.Create(f))]),
        ["masks"] = new JsonObject(Masks.Select(m => KeyValuePair.Create(m.Key, (JsonNode?)JsonValue.Create(m.Value.Describe())))),
        ["filters"] = new JsonArray([.. Filters.Select(f => JsonValue.Create(f.Describe()))]),
        ["dailyRowQuota"] = DailyRowQuota,
        ["access"] = new JsonArray([.. AccessKind.Ordered.Where(Access.Contains).Select(a => JsonValue.Create(a))]),
        ["purposes"] = Purposes is null ? null : new JsonArray([.. Purposes.Select(p => JsonValue.Create(p))]),
    };

    /// <summary>Reads a stored policy (already validated when it was approved).</summary>
    public static AccessPolicy FromStored(JsonObject? document) => Parse(document, null);

    /// <summary>
    /// Parses and checks a policy document; with <paramref name="properties"/> the named fields must
    /// be fields of the dataset. Every problem is reported with a JSON Pointer under /policy.
    /// </summary>
    public static AccessPolicy Parse(JsonObject? document, IEnumerable<string>? properties)
    {
        document ??= new JsonObject();
        var known = properties?.ToHashSet(StringComparer.Ordinal);
        // Stored policies stay as they were approved, so that their hash does not move.
        if (known is not null) document = Normalized(document);
        var errors = new List<ProblemItem>();
        List<string>? fields = null;
        var masks = new Dictionary<string, FieldMask>(StringComparer.Ordinal);
        var filters = new List<RowFilter>();
        long? quota = null;
        IReadOnlySet<string> access = AccessKind.All;
        List<string>? purposes = null;
        string? CheckField(string? name, string pointer)
        {
            if (name is null) errors.Add(new(pointer, "type", "A field name must be a string."));
            else if (known is not null && !known.Contains(name)) errors.Add(new(pointer, "unknown-field", $"'{name}' is not a field of this dataset."));
            else return name;
            return null;
        }
        foreach (var (name, value) in document)
        {
            switch (name)
            {
                case "fields" when value is JsonArray arr:
                    fields = [];
                    for (var i = 0; i < arr.Count; i++)
                        if (CheckField(AsString(arr[i]), $"/policy/fields/{i}") is { } f) fields.Add(f);
                    break;
                case "masks" when value is JsonObject obj:
                    foreach (var (field, mask) in obj)
                        if (CheckField(field, $"/policy/masks/{field}") is { } f && FieldMask.Parse(mask, $"/policy/masks/{f}", errors) is { } m) masks[f] = m;
                    break;
                case "filters" when value is JsonArray arr:
                    for (var i = 0; i < arr.Count; i++)
                        if (RowFilter.Parse(arr[i], $"/policy/filters/{i}", errors) is { } rf && CheckField(rf.Field, $"/policy/filters/{i}/field") is not null) filters.Add(rf);
                    break;
                case "dailyRowQuota" when value is JsonValue v && v.TryGetValue<long>(out var q) && q > 0:
                    quota = q;
                    break;
                case "purpose" when value?.GetValueKind() == JsonValueKind.String:
                    break;
                case "access" when value is JsonArray arr && arr.Count > 0 && arr.All(a => AsString(a) is AccessKind.Pull or AccessKind.Lookup):
                    access = arr.Select(a => a!.GetValue<string>()).ToHashSet(StringComparer.Ordinal);
                    break;
                case "purposes" when value is JsonArray arr && arr.Count > 0 && arr.All(p => AsString(p) is { Length: > 0 }):
                    purposes = [.. arr.Select(p => p!.GetValue<string>())];
                    break;
                case "fields" or "masks" or "filters" or "dailyRowQuota" or "purpose" or "access" or "purposes":
                    errors.Add(new($"/policy/{name}", "type", $"'{name}' has the wrong type; see schemas/access-policy.schema.json."));
                    break;
                default:
                    errors.Add(new($"/policy/{name}", "unknown-rule", $"'{name}' is not a policy rule this exchange enforces."));
                    break;
            }
        }
        if (fields is not null)
            foreach (var m in masks.Keys.Where(m => !fields.Contains(m)))
                errors.Add(new($"/policy/masks/{m}", "mask-of-hidden-field", $"'{m}' is masked but not among the allowed fields."));
        // A new policy is checked against schemas/access-policy.schema.json too; the parser adds what a
        // schema cannot know (fields of this dataset). One problem per pointer, the schema's first.
        if (known is not null) errors = [.. PolicySchema.Check(document).Concat(errors).DistinctBy(e => e.Pointer)];
        if (errors.Count > 0) throw new InvalidException("invalid-policy", "The access policy is not valid.", errors);
        return new AccessPolicy(fields, masks, filters, quota, document) { Access = access, Purposes = purposes };
    }

    /// <summary>
    /// A new policy as it is stored and served: a null rule is an absent one (generated clients send nulls
    /// for what they leave unset) and a mask's shorthand <c>"hash"</c> is written <c>{"type":"hash"}</c>, so
    /// that every mask a client reads back has one shape (issue 17).
    /// </summary>
    static JsonObject Normalized(JsonObject document)
    {
        var copy = new JsonObject(document.Where(p => p.Value is not null).Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value!.DeepClone())));
        if (copy["masks"] is JsonObject masks)
            foreach (var (field, mask) in masks.ToList())
                if (mask?.GetValueKind() == JsonValueKind.String) masks[field] = new JsonObject { ["type"] = mask.GetValue<string>() };
        return copy;
    }

    static string? AsString(JsonNode? node) => node?.GetValueKind() == JsonValueKind.String ? node.GetValue<string>() : null;
}

/// <summary>The ways a consumer reads a dataset, as a policy's <c>access</c> names them.</summary>
public static class AccessKind
{
    /// <summary>Pages, streams and change feeds: the dataset in bulk.</summary>
    public const string Pull = "pull";

    /// <summary>One record by key, or a batch of keys (issue 16).</summary>
    public const string Lookup = "lookup";

    /// <summary>Both, in this order.</summary>
    public static IReadOnlyList<string> Ordered { get; } = [Pull, Lookup];

    /// <summary>Both: what a policy that does not say allows.</summary>
    public static IReadOnlySet<string> All { get; } = new HashSet<string>(Ordered, StringComparer.Ordinal);
}
