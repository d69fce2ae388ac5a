using System.Text.Json;
using System.Text.Json.Nodes;
using DataExchange.Core.Audit;
using DataExchange.Core.Common;
using DataExchange.Core.Datasets;
using DataExchange.Core.Datasets.Compatibility;
using DataExchange.Core.Ingestion;
using DataExchange.Core.Pull;
using DataExchange.Core.Subscriptions;
using DataExchange.Core.Subscriptions.Notifications;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;

namespace DataExchange.Server.Hosting;

/// <summary>
/// Types the document for generated clients (issue 17): the bodies the exchange checks against its own
/// schemas/*.schema.json are described by those very schemas; statuses, roles, formats and outcomes are
/// named enums with the values Core uses; records are open objects. The CLR types carry strings and
/// JsonObjects, which say none of this.
/// </summary>
internal static class OpenApiTypes
{
    const string AccessPolicy = "AccessPolicy", FeedDefinition = "FeedDefinition", RecordSchema = "RecordSchema", Record = "Record";

    // Named enums, shared by every member and parameter that carries one.
    static readonly Dictionary<string, (string Description, IReadOnlyList<string> Values)> Enums = new(StringComparer.Ordinal)
    {
        ["Classification"] = ("How sensitive a dataset is, least to most.", Classification.All),
        ["CompatibilityMode"] = ("How a new schema version must relate to earlier ones (Confluent's modes).", SchemaCompatibility.Modes),
        ["SubscriptionStatus"] = ("Where a subscription is in its lifecycle.", SubscriptionStatus.All),
        ["RunStatus"] = ("Where an ingestion run is.", RunNames.Statuses),
        ["RunTrigger"] = ("What started a run.", RunNames.Triggers),
        ["Role"] = ("A role an API key carries.", [.. Role.All.Order(StringComparer.Ordinal)]),
        ["ChangeOp"] = ("The net change of a key.", [Change.Insert, Change.Update, Change.Delete]),
        ["AuditOutcome"] = ("How an audited action ended.", [.. Enum.GetValues<AuditOutcome>().Select(AuditNames.Of)]),
        ["AuditAction"] = ("An audited action.", [.. Enum.GetValues<AuditAction>().Select(AuditNames.Of)]),
        ["DeliveryStatus"] = ("The state of a webhook delivery.", DeliveryStatus.All),
        ["StreamFormat"] = ("A streamed text format.", ["ndjson", "csv"]),
    };

    // Component members whose CLR type (string, JsonObject, dictionary) says less than the component named; "[]": an array of it.
    static readonly (string Component, string Member, string Type)[] Members =
    [
        ("Dataset", "classification", "Classification"), ("Dataset", "compatibility", "CompatibilityMode"),
        ("FrictionlessImportRequest", "classification", "Classification"), ("CompatibilityReport", "mode", "CompatibilityMode"),
        ("Subscription", "status", "SubscriptionStatus"), ("RunInfo", "status", "RunStatus"), ("RunInfo", "trigger", "RunTrigger"),
        ("RunQuality", "status", "RunStatus"), ("WebhookDelivery", "status", "DeliveryStatus"),
        ("Me", "roles", "Role[]"), ("ApiKeyInfo", "roles", "Role[]"), ("IssuedApiKey", "roles", "Role[]"), ("IssueKeyRequest", "roles", "Role[]"),
        ("EntryBody", "outcome", "AuditOutcome"), ("EntryBody", "action", "AuditAction"),
        ("ChangeItem", "op", "ChangeOp"), ("ChangeItem", "record", Record), ("RecordPageBody", "items", Record + "[]"),
        ("Subscription", "policy", AccessPolicy), ("ApprovalRequest", "policy", AccessPolicy), ("AutoApprovalRequest", "policy", AccessPolicy),
        ("AutoApproval", "policy", AccessPolicy), ("AccessExplanation", "policy", "PolicySummary"), ("SchemaVersionInfo", "schema", RecordSchema),
    ];

    static readonly (string Path, string Parameter, string Type)[] Parameters =
    [
        ("/api/v1/subscriptions", "status", "SubscriptionStatus"), ("/api/v1/datasets", "classification", "Classification"),
        ("/api/v1/audit/entries", "outcome", "AuditOutcome"), ("/api/v1/audit/entries", "action", "AuditAction"),
        ("/api/v1/audit/entries/export", "outcome", "AuditOutcome"), ("/api/v1/audit/entries/export", "action", "AuditAction"),
        ("/api/v1/audit/entries/export", "format", "StreamFormat"),
    ];

    // POST and PUT bodies that code reads as a JsonObject, and the component they are.
    static readonly (string Path, string Type)[] Bodies =
    [
        ("/api/v1/datasets", "RegisterDatasetRequest"), ("/api/v1/datasets/{datasetId}/metadata", "DatasetMetadataUpdate"),
        ("/api/v1/datasets/{datasetId}/schemas", RecordSchema), ("/api/v1/datasets/{datasetId}/schemas/compatibility", RecordSchema),
    ];

    /// <summary>Adds the typed components and points members, parameters and bodies at them.</summary>
    public static Task ApplyAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        var schemas = document.Components!.Schemas!;
        foreach (var (name, (description, values)) in Enums)
            schemas[name] = new OpenApiSchema { Type = JsonSchemaType.String, Description = description, Enum = [.. values.Select(v => (JsonNode)JsonValue.Create(v))] };
        schemas[Record] = new OpenApiSchema
        {
            Type = JsonSchemaType.Object, AdditionalProperties = Any(),
            Description = "One record as your policy shapes it: the dataset's fields that the policy shows, masked where it masks. Its own OpenAPI document (…/openapi.json) types the fields.",
        };
        schemas[RecordSchema] = new OpenApiSchema
        {
            Type = JsonSchemaType.Object, AdditionalProperties = Any(),
            Description = "A JSON Schema (draft-07) of one record, limited to the keywords the exchange enforces (README: Schemas the exchange accepts).",
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["$schema"] = new OpenApiSchema { Type = JsonSchemaType.String },
                ["title"] = new OpenApiSchema { Type = JsonSchemaType.String },
                ["description"] = new OpenApiSchema { Type = JsonSchemaType.String },
                ["required"] = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } },
                ["properties"] = new OpenApiSchema { Type = JsonSchemaType.Object, AdditionalProperties = Any(), Description = "Each record field's schema, by name." },
            },
        };
        schemas["PolicySummary"] = new OpenApiSchema
        {
            Type = JsonSchemaType.Object, Description = "What a policy lets you read, in words: no data.",
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["hash"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The policy hash stamped on ETags and audit entries." },
                ["fields"] = new OpenApiSchema { Description = "`\"all\"`, or the names of the visible fields." },
                ["masks"] = new OpenApiSchema { Type = JsonSchemaType.Object, AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.String }, Description = "Per field: redact, hash or partial(keepLast=n)." },
                ["filters"] = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } },
                ["dailyRowQuota"] = new OpenApiSchema { Type = JsonSchemaType.Integer | JsonSchemaType.Null, Format = "int64" },
                ["access"] = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String }, Description = "pull and/or lookup." },
                ["purposes"] = new OpenApiSchema
                {
                    Type = JsonSchemaType.Array | JsonSchemaType.Null, Items = new OpenApiSchema { Type = JsonSchemaType.String },
                    Description = "The purposes lookups may name; null: the subscription's own purpose."
                },
            },
        };
        // A JsonObject the table does not name (a Frictionless data package) is any JSON object.
        schemas["JsonObject"] = new OpenApiSchema { Type = JsonSchemaType.Object, AdditionalProperties = Any() };
        schemas[AccessPolicy] = Policy(schemas, document);
        schemas[FeedDefinition] = FromExchangeSchema(DocumentSchemas.FeedDefinition, document);
        schemas["RegisterDatasetRequest"] = Manifest(document);
        schemas["DatasetMetadataUpdate"] = FromExchangeSchema(DocumentSchemas.DatasetMetadataUpdate, document);

        foreach (var (component, member, type) in Members)
            if (schemas.TryGetValue(component, out var found) && found is OpenApiSchema owner) Retype(owner, member, Reference(type, document));
        // A batch's keys: each a string, or an array of strings for a composite key (JsonNode says only "any").
        if (schemas.TryGetValue("LookupBatchRequest", out var batch) && batch is OpenApiSchema batchSchema && batchSchema.Properties?.ContainsKey("keys") == true)
            batchSchema.Properties["keys"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Array, MaxItems = 1000,
                Description = "Up to 1,000 keys: each the key field's value, or the values of a composite key in key order.",
                Items = new OpenApiSchema
                {
                    OneOf = [new OpenApiSchema { Type = JsonSchemaType.String }, new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } }],
                },
            };
        foreach (var (path, parameter, type) in Parameters)
            foreach (var p in document.Paths[path].Operations!.Values.SelectMany(o => o.Parameters ?? []).OfType<OpenApiParameter>().Where(p => p.Name == parameter))
                p.Schema = Reference(type, document);
        foreach (var (path, type) in Bodies)
            foreach (var (method, operation) in document.Paths[path].Operations!)
                if ((method == HttpMethod.Post || method == HttpMethod.Put) && operation.RequestBody?.Content is { } content && content.TryGetValue("application/json", out var media))
                    media.Schema = Reference(type, document);
        return Task.CompletedTask;
    }

    // An empty schema, written `{}`: any value (Microsoft.OpenApi writes no `additionalProperties: true`; `{}` means the same).
    static OpenApiSchema Any() => new();

    static IOpenApiSchema Reference(string type, OpenApiDocument document) => type.EndsWith("[]", StringComparison.Ordinal)
        ? new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchemaReference(type[..^2], document) }
        : new OpenApiSchemaReference(type, document);

    // The API omits nulls, so a nullable member becomes an optional one of the named type.
    static void Retype(OpenApiSchema owner, string member, IOpenApiSchema type)
    {
        if (owner.Properties is null || !owner.Properties.TryGetValue(member, out var current)) throw new InvalidOperationException($"The document has no member {member} to type.");
        if (current.Type?.HasFlag(JsonSchemaType.Null) == true || current.OneOf?.Any(s => s.Type == JsonSchemaType.Null) == true) owner.Required?.Remove(member);
        owner.Properties[member] = type;
    }

    // The policy with its mask and row filter as components of their own, so that generated types have names.
    static OpenApiSchema Policy(IDictionary<string, IOpenApiSchema> schemas, OpenApiDocument document)
    {
        var policy = FromExchangeSchema(DocumentSchemas.AccessPolicy, document);
        var masks = (OpenApiSchema)policy.Properties!["masks"].AdditionalProperties!;
        var mask = (OpenApiSchema)masks.OneOf![0];
        schemas["MaskKind"] = mask.Properties!["type"];
        mask.Properties["type"] = new OpenApiSchemaReference("MaskKind", document);
        masks.OneOf[1] = new OpenApiSchemaReference("MaskKind", document);
        schemas["AccessMask"] = mask;
        masks.OneOf[0] = new OpenApiSchemaReference("AccessMask", document);
        var filters = (OpenApiSchema)policy.Properties["filters"];
        schemas["RowFilter"] = filters.Items!;
        filters.Items = new OpenApiSchemaReference("RowFilter", document);
        return policy;
    }

    // The manifest without its file-only members (the API takes the record schema inline), its feed and
    // schema and its shared enums as components.
    static OpenApiSchema Manifest(OpenApiDocument document)
    {
        var manifest = FromExchangeSchema(DocumentSchemas.DatasetManifest, document);
        manifest.Properties!.Remove("$schema");
        manifest.Properties.Remove("schemaFile");
        manifest.Properties["feed"] = new OpenApiSchemaReference(FeedDefinition, document);
        manifest.Properties["schema"] = new OpenApiSchemaReference(RecordSchema, document);
        foreach (var (member, type) in new[] { ("classification", "Classification"), ("compatibility", "CompatibilityMode") })
        {
            var current = manifest.Properties[member];
            if (current.Enum?.Where(v => v is not null).Select(v => v.GetValue<string>()).SequenceEqual(Enums[type].Values) != true) continue;
            IOpenApiSchema named = new OpenApiSchemaReference(type, document);
            manifest.Properties[member] = current.Type?.HasFlag(JsonSchemaType.Null) == true ? new OpenApiSchema { OneOf = [new OpenApiSchema { Type = JsonSchemaType.Null }, named] } : named;
        }
        return manifest;
    }

    /// <summary>schemas/<paramref name="name"/>.schema.json as an OpenAPI 3.1 schema (a draft-07 document is one, less its $schema and $id).</summary>
    static OpenApiSchema FromExchangeSchema(string name, OpenApiDocument document)
    {
        var json = JsonNode.Parse(DocumentSchemas.Text(name))!.AsObject();
        json.Remove("$schema");
        json.Remove("$id");
        ForGenerators(json);
        var schema = OpenApiModelFactory.Parse<OpenApiSchema>(json.ToJsonString(), OpenApiSpecVersion.OpenApi3_1, document, out var diagnostic, "json");
        if (schema is null || diagnostic?.Errors.Count > 0)
            throw new InvalidOperationException($"schemas/{name}.schema.json is not an OpenAPI schema: {string.Join("; ", diagnostic?.Errors.Select(e => e.Message) ?? [])}");
        return schema;
    }

    // What generators need said that JSON Schema leaves implicit: an enum of strings is a string; an
    // optional number, boolean or enum may be null (clients that cannot leave a value type unset send null,
    // which the server reads as absent); in a oneOf, the object form first (a generator without oneOf takes
    // the first, and the server stores and serves the object form of a mask).
    static void ForGenerators(JsonNode? node)
    {
        if (node is JsonArray a)
        {
            foreach (var child in a) ForGenerators(child);
            return;
        }
        if (node is not JsonObject o) return;
        if (o["enum"] is JsonArray values && !o.ContainsKey("type") && values.All(v => v?.GetValueKind() == JsonValueKind.String)) o["type"] = "string";
        if (o["oneOf"] is JsonArray oneOf)
        {
            var ordered = oneOf.OrderBy(b => b?["type"]?.ToString() == "object" ? 0 : 1).Select(b => b?.DeepClone()).ToList();
            o["oneOf"] = new JsonArray([.. ordered]);
        }
        var required = o["required"]?.AsArray().Select(r => r!.GetValue<string>()).ToHashSet(StringComparer.Ordinal) ?? [];
        foreach (var (name, member) in o["properties"]?.AsObject().ToList() ?? [])
            if (!required.Contains(name) && member is JsonObject m && m["type"] is JsonValue t && t.GetValue<string>() is "integer" or "number" or "boolean" or "string"
                && (t.GetValue<string>() != "string" || m.ContainsKey("enum")))
            {
                m["type"] = new JsonArray(t.GetValue<string>(), "null");
                if (m["enum"] is JsonArray e) e.Add(null);
            }
        foreach (var (_, child) in o.ToList()) ForGenerators(child);
    }
}
