using System.Globalization;
using System.Text.Json.Nodes;
using DataExchange.Core.Datasets;
using DataExchange.Core.Datasets.Compatibility;
using DataExchange.Core.Datasets.Schemas;
using DataExchange.Core.Subscriptions;

namespace DataExchange.Core.Pull;

/// <summary>
/// One dataset's records as an OpenAPI 3.0 document under the reader's policy (issue 17), so a consuming
/// system can generate a client typed for the data itself: the record type has exactly the fields the policy
/// shows (masked ones as strings), the key fields are named, and the operations are the ones the policy
/// allows on that dataset — the JSON pages of records and changes (pull) and the lookups by key (lookup).
/// 3.0 rather than 3.1 because generators (NSwag, Kiota, openapi-typescript) all read it the same way.
/// </summary>
public static class RecordOpenApi
{
    const string Problem = "#/components/responses/Problem";

    /// <summary>What the document describes: the dataset, the schema version of its records, the reader's decision, and whether lookups may be offered.</summary>
    public sealed record Subject(Dataset Dataset, DatasetSchema Schema, int? Version, AccessPolicy Policy, string? SubscriptionId, bool Lookups);

    /// <summary>The document, its server the dataset's base URL under <paramref name="apiBase"/> (scheme, host, path base and /api/v1).</summary>
    public static JsonObject Build(Subject subject, string apiBase)
    {
        var (dataset, policy) = (subject.Dataset, subject.Policy);
        var record = Pascal(dataset.Id[(dataset.Id.IndexOf('.', StringComparison.Ordinal) + 1)..]) + "Record";
        var schemas = new JsonObject
        {
            [record] = RecordSchema(subject),
            ["Problem"] = ProblemSchema(),
        };
        var paths = new JsonObject();
        var pull = policy.Access.Contains(AccessKind.Pull);
        if (pull)
        {
            schemas["RecordPage"] = Object(("version", Int32()), ("items", Array(Ref(record))), ("next", Text("Cursor of the next page; absent on the last.")));
            ((JsonObject)schemas["RecordPage"]!)["required"] = Names("version", "items");
            schemas["Change"] = ChangeSchema(record);
            schemas["ChangePage"] = Object(("since", Int32()), ("until", Int32()), ("items", Array(Ref("Change"))), ("next", Text("Cursor of the next page; absent on the last.")));
            ((JsonObject)schemas["ChangePage"]!)["required"] = Names("since", "until", "items");
            paths["/records"] = new JsonObject { ["get"] = RecordsOperation(subject) };
            paths["/changes"] = new JsonObject { ["get"] = ChangesOperation() };
        }
        if (subject.Lookups && policy.Access.Contains(AccessKind.Lookup))
        {
            schemas["LookupResult"] = Object(("datasetId", Text(null)), ("version", Int32()), ("found", Bool()), ("key", Text("The key as your policy shows it; absent when a key field is hidden.")), ("record", Ref(record)));
            ((JsonObject)schemas["LookupResult"]!)["required"] = Names("datasetId", "version", "found");
            schemas["LookupItem"] = Object(("found", Bool()), ("key", Text(null)), ("record", Ref(record)), ("evidence", Text("Compact JWS (ES256) when evidence was asked for.")));
            ((JsonObject)schemas["LookupItem"]!)["required"] = Names("found");
            schemas["LookupBatch"] = Object(("datasetId", Text(null)), ("version", Int32()), ("items", Array(Ref("LookupItem"))));
            ((JsonObject)schemas["LookupBatch"]!)["required"] = Names("datasetId", "version", "items");
            schemas["LookupBatchRequest"] = LookupRequestSchema(dataset.KeyFields.Count);
            paths["/records/{key}"] = new JsonObject { ["get"] = LookupOperation(dataset.KeyFields) };
            paths["/lookups"] = new JsonObject { ["post"] = LookupBatchOperation() };
        }
        var security = new JsonArray(new JsonObject { ["bearer"] = new JsonArray() });
        if (dataset.IsOpen) security.Add(new JsonObject());
        return new JsonObject
        {
            ["openapi"] = "3.0.3",
            ["info"] = new JsonObject
            {
                ["title"] = $"{dataset.Title} ({dataset.Id})",
                ["version"] = $"{dataset.Id}@{subject.Version?.ToString(CultureInfo.InvariantCulture) ?? "unpublished"}+{policy.Hash}",
                ["description"] = Describe(subject, pull),
                ["x-dataexchange-dataset"] = dataset.Id,
                ["x-dataexchange-schema-version"] = subject.Schema.Version,
                ["x-dataexchange-policy-hash"] = policy.Hash,
                ["x-dataexchange-key-fields"] = Names([.. dataset.KeyFields]),
            },
            ["servers"] = new JsonArray(new JsonObject { ["url"] = $"{apiBase}/datasets/{dataset.Id}", ["description"] = "This dataset on this exchange" }),
            ["security"] = security,
            ["tags"] = new JsonArray(new JsonObject { ["name"] = "Records", ["description"] = $"The records of {dataset.Id} as your policy shows them." }),
            ["paths"] = paths,
            ["components"] = new JsonObject
            {
                ["schemas"] = schemas,
                ["responses"] = new JsonObject
                {
                    ["Problem"] = new JsonObject
                    {
                        ["description"] = "RFC 9457 problem details; `type` is urn:dataexchange:problem:<code>.",
                        ["content"] = new JsonObject { ["application/problem+json"] = new JsonObject { ["schema"] = Ref("Problem") } },
                    },
                },
                ["securitySchemes"] = new JsonObject
                {
                    ["bearer"] = new JsonObject { ["type"] = "http", ["scheme"] = "bearer", ["description"] = "An API key of your agency: `Authorization: Bearer <key>`." },
                },
            },
        };
    }

    static string Describe(Subject subject, bool pull)
    {
        var (dataset, policy) = (subject.Dataset, subject.Policy);
        var parts = new List<string>
        {
            $"The records of `{dataset.Id}` (schema version {subject.Schema.Version}) exactly as this caller receives them under policy `{policy.Hash}`"
                + (subject.SubscriptionId is { } sub ? $" of subscription {sub}" : "") + ": only the fields the policy shows, masked fields as strings.",
            $"Key field(s): {string.Join(", ", dataset.KeyFields.Select(k => $"`{k}`"))}.",
        };
        if (policy.Filters.Count > 0) parts.Add("Row filters restrict which records you receive: " + string.Join("; ", policy.Filters.Select(f => f.Describe())) + ".");
        if (policy.DailyRowQuota is { } quota) parts.Add($"Daily row quota: {quota} (UTC day).");
        if (!pull) parts.Add("The policy allows lookups only, so the record and change pages are not offered.");
        parts.Add("Another policy (a new approval) changes this document: fetch it again when `x-dataexchange-policy-hash` changes.");
        return string.Join(" ", parts);
    }

    /// <summary>The record: the visible properties of the schema (masked ones as nullable strings), key fields first among the required.</summary>
    static JsonObject RecordSchema(Subject subject)
    {
        var (dataset, policy) = (subject.Dataset, subject.Policy);
        var bundle = SchemaBundle.Of(subject.Schema);
        var declared = bundle["properties"] as JsonObject ?? [];
        var required = (bundle["required"] as JsonArray)?.Select(r => r?.ToString()).ToHashSet(StringComparer.Ordinal) ?? [];
        var properties = new JsonObject();
        foreach (var name in subject.Schema.PropertyNames.Where(policy.Allows))
            properties[name] = policy.Masks.TryGetValue(name, out var mask) ? Masked(mask) : OpenApiSchemas.Translate(declared[name], bundle);
        var names = properties.Select(p => p.Key).Where(n => dataset.KeyFields.Contains(n) || required.Contains(n)).ToList();
        var schema = new JsonObject
        {
            ["type"] = "object",
            ["description"] = $"A record of {dataset.Id} as your policy shows it. Key: {string.Join(", ", dataset.KeyFields)}.",
            ["properties"] = properties,
            ["x-dataexchange-key-fields"] = Names([.. dataset.KeyFields]),
        };
        if (names.Count > 0) schema["required"] = Names([.. names]);
        return schema;
    }

    static JsonObject Masked(FieldMask mask)
    {
        var schema = new JsonObject
        {
            ["type"] = "string",
            ["nullable"] = true,
            ["description"] = mask.Kind switch
            {
                FieldMask.Redact => "Redacted by your policy: always null.",
                FieldMask.HashKind => "Hashed by your policy: keyed HMAC-SHA256 of the value, lower-case hex (equal values hash equally).",
                _ => $"Partly masked by your policy: all but the last {mask.KeepLast} characters replaced by '*'.",
            },
            ["x-dataexchange-mask"] = mask.Kind,
        };
        if (mask.Kind == FieldMask.HashKind) schema["pattern"] = "^[0-9a-f]{64}$";
        return schema;
    }

    static JsonObject ChangeSchema(string record)
    {
        var change = Object(
            ("op", new JsonObject { ["type"] = "string", ["enum"] = Names("insert", "update", "delete") }),
            ("key", Text("The key as your policy shows it; absent when a key field is hidden or redacted.")),
            ("version", Int32()),
            ("record", Ref(record)));
        change["required"] = Names("op", "version");
        change["description"] = "One net change; `record` is absent for a delete.";
        return change;
    }

    static JsonObject LookupRequestSchema(int keyParts)
    {
        var key = keyParts == 1
            ? new JsonObject { ["type"] = "string" }
            : new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["type"] = "string" }, ["minItems"] = keyParts, ["maxItems"] = keyParts, ["description"] = "The key fields' values, in key order." };
        var request = Object(
            ("keys", new JsonObject { ["type"] = "array", ["items"] = key, ["minItems"] = 1, ["maxItems"] = 1000 }),
            ("purpose", Text("A purpose the subscription was approved for (else the Dx-Purpose header).")),
            ("caseRef", Text("The case or procedure the lookups serve.")),
            ("version", Int32()),
            ("evidence", Bool()));
        request["required"] = Names("keys");
        return request;
    }

    static JsonObject RecordsOperation(Subject subject) => Operation("getRecords", "A page of the snapshot at the latest (or given) version, in key order.",
        "ETag `\"<dataset>@<version>+<policy hash>\"`; `If-None-Match` answers 304. The whole snapshot also streams from `records.ndjson` and `records.csv`.",
        [Query("version", Int32(), "The dataset version (default: latest)."), Query("after", Text(null), "The cursor of the previous page's `next`."), Query("limit", Limit(), "Records per page.")],
        "RecordPage", extra: new JsonObject { ["304"] = new JsonObject { ["description"] = "Not modified (your If-None-Match names this version under this policy)." } },
        note: subject.Version is null ? "Nothing is published yet: until then this answers 404." : null);

    static JsonObject ChangesOperation() => Operation("getChanges", "Net inserts, updates and deletes between two versions, ordered by key.",
        "Resumable by the opaque cursor `next`, bound to your key, the dataset and `since`.",
        [Query("since", Int32(), "The version after which changes count (default 0: everything)."), Query("until", Int32(), "The last version included (default: latest)."),
         Query("after", Text(null), "The cursor of the previous page's `next`."), Query("limit", Limit(), "Changes per page.")],
        "ChangePage");

    static JsonObject LookupOperation(IReadOnlyList<string> keyFields)
    {
        var key = new JsonObject
        {
            ["name"] = "key", ["in"] = "path", ["required"] = true, ["schema"] = new JsonObject { ["type"] = "string" },
            ["description"] = keyFields.Count == 1
                ? $"The value of `{keyFields[0]}`."
                : $"The values of {string.Join(", ", keyFields.Select(k => $"`{k}`"))}, each percent-encoded, joined by `,` in this order.",
        };
        return Operation("getRecord", "One record by its key, for a purpose your subscription was approved for.",
            "404 `record-not-found` when there is no record you may see at that version. Audited, one row of the daily quota.",
            [key, Header("Dx-Purpose", "The purpose of this lookup (percent-encoded UTF-8 when not ASCII)."), Header("Dx-Case-Ref", "The case or procedure it serves."),
             Query("version", Int32(), "The dataset version (default: latest).")],
            "LookupResult");
    }

    static JsonObject LookupBatchOperation()
    {
        var operation = Operation("postLookups", "Up to 1,000 records by key; answers in the order asked, each found or not.",
            "One row of the daily quota per key; a batch that does not fit answers 429 as a whole.",
            [Header("Dx-Purpose", "The purpose, when the body does not give one."), Header("Dx-Case-Ref", "The case or procedure, when the body does not give one.")], "LookupBatch");
        operation["requestBody"] = new JsonObject
        {
            ["required"] = true,
            ["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = Ref("LookupBatchRequest") } },
        };
        return operation;
    }

    static JsonObject Operation(string id, string summary, string description, JsonObject[] parameters, string body, JsonObject? extra = null, string? note = null)
    {
        var responses = new JsonObject
        {
            ["200"] = new JsonObject
            {
                ["description"] = summary,
                ["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = Ref(body) } },
            },
        };
        foreach (var (status, value) in extra ?? []) responses[status] = value!.DeepClone();
        foreach (var status in new[] { "400", "401", "403", "404", "429" }) responses[status] = new JsonObject { ["$ref"] = Problem };
        return new JsonObject
        {
            ["operationId"] = id,
            ["tags"] = new JsonArray("Records"),
            ["summary"] = summary,
            ["description"] = note is null ? description : description + " " + note,
            ["parameters"] = new JsonArray([.. parameters]),
            ["responses"] = responses,
        };
    }

    static JsonObject ProblemSchema() => Object(("type", Text(null)), ("title", Text(null)), ("status", Int32()), ("detail", Text(null)), ("instance", Text(null)));

    static JsonObject Query(string name, JsonObject schema, string description) =>
        new() { ["name"] = name, ["in"] = "query", ["required"] = false, ["description"] = description, ["schema"] = schema };

    static JsonObject Header(string name, string description) =>
        new() { ["name"] = name, ["in"] = "header", ["required"] = false, ["description"] = description, ["schema"] = new JsonObject { ["type"] = "string" } };

    static JsonObject Object(params (string Name, JsonObject Schema)[] properties) => new()
    {
        ["type"] = "object",
        ["properties"] = new JsonObject([.. properties.Select(p => KeyValuePair.Create(p.Name, (JsonNode?)p.Schema))]),
    };

    static JsonObject Ref(string name) => new() { ["$ref"] = "#/components/schemas/" + name };
    static JsonObject Array(JsonObject items) => new() { ["type"] = "array", ["items"] = items };
    static JsonObject Int32() => new() { ["type"] = "integer", ["format"] = "int32" };
    static JsonObject Limit() => new() { ["type"] = "integer", ["format"] = "int32", ["minimum"] = 1, ["maximum"] = 1000, ["default"] = 100 };
    static JsonObject Bool() => new() { ["type"] = "boolean" };
    static JsonObject Text(string? description) => description is null ? new() { ["type"] = "string" } : new() { ["type"] = "string", ["description"] = description };
    static JsonArray Names(params string[] names) => new([.. names.Select(n => (JsonNode?)JsonValue.Create(n))]);

    /// <summary><c>business-licences</c> → <c>BusinessLicences</c>.</summary>
    static string Pascal(string slug)
    {
        var name = string.Concat(slug.Split('-', StringSplitOptions.RemoveEmptyEntries).Select(w => char.ToUpperInvariant(w[0]) + w[1..]));
        return name.Length > 0 && char.IsLetter(name[0]) ? name : "Dataset" + name;
    }
}
