using System.Text.Json.Nodes;
using DataExchange.Core.Agencies;
using DataExchange.Core.Audit;
using DataExchange.Core.Catalogue;
using DataExchange.Core.Common;
using DataExchange.Core.Datasets;
using DataExchange.Core.Datasets.Components;
using DataExchange.Core.Datasets.Compatibility;
using DataExchange.Core.Feeds;
using DataExchange.Core.Ingestion;
using DataExchange.Core.Lookup;
using DataExchange.Core.Subscriptions;
using DataExchange.Core.Subscriptions.Notifications;
using DataExchange.Server.Agencies;
using DataExchange.Server.Audit;
using DataExchange.Server.Lookup;
using DataExchange.Server.Pull;

namespace DataExchange.Server.Hosting;

/// <summary>
/// One example instance per request and response type of the API, all telling one story (gd-amr
/// publishes business licences, gz-hrss consumes them). They are real instances serialised with the
/// API's own JSON options, so an example cannot drift from what the endpoint sends or accepts.
/// <see cref="OpenApiExamples"/> puts them into the document; lists (<see cref="PageBody{T}"/>) are
/// built from their item's example.
/// </summary>
public static partial class ApiExamples
{
    const string DatasetId = "gd-amr.business-licences";
    const string SubscriptionId = "sub_7q2mfk4xw9c3h8rt5bnz";
    const string KeyId = "key_c8v1k3m9q2x7w4z6t5ab";
    static readonly DateTimeOffset At = new(2026, 3, 2, 8, 30, 0, TimeSpan.Zero);

    /// <summary>An access policy that follows schemas/access-policy.schema.json.</summary>
    public static JsonObject Policy() => new()
    {
        ["fields"] = new JsonArray("uscc", "name", "legalRep", "status"),
        ["masks"] = new JsonObject { ["legalRep"] = new JsonObject { ["type"] = "partial", ["keepLast"] = 1 }, ["uscc"] = "hash" },
        ["filters"] = new JsonArray(new JsonObject { ["field"] = "status", ["in"] = new JsonArray("active", "suspended") }),
        ["dailyRowQuota"] = 100000,
        ["purpose"] = "Verify employers when registering social insurance",
        ["access"] = new JsonArray("pull", "lookup"),
        ["purposes"] = new JsonArray("social-insurance-registration", "employment-subsidy"),
    };

    /// <summary>A record schema (draft-07) of the example dataset.</summary>
    public static JsonObject RecordSchema() => new()
    {
        ["$schema"] = "http://json-schema.org/draft-07/schema#",
        ["type"] = "object",
        ["required"] = new JsonArray("uscc", "name", "status"),
        ["properties"] = new JsonObject
        {
            ["uscc"] = new JsonObject { ["type"] = "string", ["pattern"] = "^[0-9A-HJ-NPQRTUWXY]{18}$" },
            ["name"] = new JsonObject { ["type"] = "string", ["minLength"] = 1 },
            ["legalRep"] = new JsonObject { ["type"] = "string" },
            ["status"] = new JsonObject { ["enum"] = new JsonArray("active", "suspended", "revoked") },
            ["issuedOn"] = new JsonObject { ["type"] = "string", ["format"] = "date" },
        },
    };

    static readonly FeedDefinition Feed = new() { Source = "file:gd-amr/business-licences.csv", Format = "csv", Cron = "0 2 * * *", Mode = "snapshot", Delimiter = ",", MaxDeleteShare = 0.1 };
    static readonly SchemaVersionInfo SchemaVersion = new(1, "9f2c4e1ab37d5e08", At.AddDays(-30));
    static readonly Dataset Dataset = new(DatasetId, "gd-amr", "Business licence register", "Businesses registered with the Guangdong AMR, one row per unified social credit code.",
        ["uscc"], "internal", ["business", "licence"], "BACKWARD", 1, At.AddDays(-30), 3, At, 184203, Feed, [SchemaVersion]);
    static readonly RunCounts Counts = new(184311, 184250, 61, 0, 120, 342, 17, 183771, 58);
    static readonly Subscription Subscription = new(SubscriptionId, DatasetId, "gz-hrss", "Verify employers when registering social insurance", null,
        SubscriptionStatus.Approved, Policy(), At.AddYears(1), "gz-hrss", At.AddDays(-1), At, "gd-amr", null);
    static readonly CheckpointBody Checkpoint = new(2048, "5d41402abc4b2a76b9719d911017c592ae1f3b5c3e2e7c5d8a4b6f0e1d2c3b4a",
        "a3f1c9e5b7d2f4a6c8e0b1d3f5a7c9e2b4d6f8a0c1e3b5d7f9a2c4e6b8d0f1a3", "2026-03-02T08:30:00Z", "audit-2026-1",
        "MEUCIQDx3o2a9k1Zb7f5c2e4d6a8b0c1e3f5a7b9d2c4e6f8a0b1c3d5e7f9a2b4AiA1b3c5d7e9f0a2b4c6d8e0f1a3b5c7d9e2f4a6b8c0d1e3f5a7b9c2d4e6f8a0==",
        "dataexchange-audit-checkpoint/v1\ntree_size 2048\nroot 5d41402abc4b…\nchain a3f1c9e5b7d2…\nsigned_at 2026-03-02T08:30:00Z\n");

    static readonly SubjectAccess LookedUp = new(2051, At, "gz-hrss", "cli_4kz8x2m7q9w3", "record-looked-up", "allowed", "social-insurance-registration", "SI-2026-000183",
        SubscriptionId, 3, true, "9b74c9897bac770ffc029102a200c5de6b5e6a2b0c9e3f0f8a1d2c3b4a5e6f70", null);

    static readonly Dictionary<Type, object> Examples = new()
    {
        [typeof(AgencyEndpoints.Me)] = new AgencyEndpoints.Me("cli_4kz8x2m7q9w3", "gz-hrss", ["consumer"]),
        [typeof(CreateAgencyRequest)] = new CreateAgencyRequest("gz-hrss", "Guangzhou Human Resources and Social Security Bureau"),
        [typeof(Agency)] = new Agency("gz-hrss", "gz-hrss", "Guangzhou Human Resources and Social Security Bureau", At),
        [typeof(IssueKeyRequest)] = new IssueKeyRequest("hrss payroll system", [Role.Consumer], At.AddYears(1)),
        [typeof(IssuedApiKey)] = new IssuedApiKey(KeyId, "gz-hrss", "hrss payroll system", [Role.Consumer], At, At.AddYears(1), "dx_c8v1k3m9q2x7w4z6t5ab_Wq3…shown-once"),
        [typeof(ApiKeyInfo)] = new ApiKeyInfo(KeyId, "gz-hrss", "hrss payroll system", [Role.Consumer], At, At.AddYears(1), null),
        [typeof(RegisterDatasetRequest)] = new RegisterDatasetRequest
        {
            Id = DatasetId, Title = "Business licence register", Description = "Businesses registered with the Guangdong AMR, one row per unified social credit code.",
            KeyFields = ["uscc"], Classification = "internal", Tags = ["business", "licence"], Schema = RecordSchema(), Feed = Feed,
        },
        [typeof(DatasetMetadataUpdate)] = new DatasetMetadataUpdate
        {
            Tags = ["business", "licence", "employer"],
            Metadata = new DatasetMetadata
            {
                Licence = "http://publications.europa.eu/resource/authority/licence/CC_BY_4_0",
                ContactPoint = new ContactPoint("AMR data desk", "data@amr.gd.gov.cn"),
                Themes = ["http://publications.europa.eu/resource/authority/data-theme/ECON"],
                Spatial = ["https://sws.geonames.org/1809935/"],
                Temporal = new TemporalCoverage("2015-01-01", null),
                Open = false,
            },
        },
        [typeof(FrictionlessImportRequest)] = new FrictionlessImportRequest
        {
            DataPackage = JsonNode.Parse("""
                {"name":"vehicles","resources":[{"name":"vehicles","path":"vehicles.csv","schema":{"fields":[{"name":"plate","type":"string","constraints":{"required":true}},
                {"name":"registeredOn","type":"date"},{"name":"seats","type":"integer"}],"primaryKey":["plate"]}}]}
                """)!.AsObject(),
            Classification = "internal", Tags = ["transport"], Feed = new() { Source = "upload", Format = "csv" },
        },
        [typeof(Dataset)] = Dataset,
        [typeof(SchemaVersionInfo)] = SchemaVersion with { Schema = RecordSchema() },
        [typeof(FeedDefinition)] = Feed,
        [typeof(CompatibilityReport)] = new CompatibilityReport(false, "BACKWARD", [new("/properties/issuedOn", "field-became-required", "optional", "required",
            "issuedOn became required: records valid under version 1 may lack it.")]),
        [typeof(RunInfo)] = new RunInfo("42", DatasetId, "succeeded", "schedule", 1, At.AddMinutes(-3), At.AddMinutes(-3), At, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", 3, null, Counts),
        [typeof(RejectedRecord)] = new RejectedRecord(1187, "91440101MA5CXXXX1,,active,2019-02-30",
            JsonNode.Parse("""[{"pointer":"/name","code":"required","message":"name is required."},{"pointer":"/issuedOn","code":"format","message":"2019-02-30 is not a date."}]""")!, 1),
        [typeof(DatasetVersion)] = new DatasetVersion(3, "42", 1, At, new VersionCounts(120, 342, 17, 184203)),
        [typeof(RegisterComponentRequest)] = new RegisterComponentRequest("https://schemas.gd.gov.cn/address", AddressComponent()),
        [typeof(SchemaComponentInfo)] = new SchemaComponentInfo("https://schemas.gd.gov.cn/address", 2, "gd-amr", "draft-07",
            "9f2c4e1a7b3d5f60c8e2a4b6d8f0a1c3e5b7d9f1a2c4e6b8d0f2a4c6e8b0d2f4", At)
        { Schema = AddressComponent() },
        [typeof(FeedHost)] = new FeedHost("data.gd.gov.cn", "admin", "exchange", At),
        [typeof(ReplaceFeedHostsRequest)] = new ReplaceFeedHostsRequest(["data.gd.gov.cn", "opendata.gz.gov.cn"]),
        [typeof(CatalogueEntry)] = new CatalogueEntry(Dataset with { Feed = null, SchemaVersions = null }, [SchemaVersion], 3, At, 5400, 184203, new RunQuality(42, "succeeded", At, 184311, 61, 0.00033)),
        [typeof(SubscriptionRequest)] = new SubscriptionRequest(DatasetId, "Verify employers when registering social insurance", ["uscc", "name", "legalRep", "status"]),
        [typeof(ApprovalRequest)] = new ApprovalRequest(Policy(), At.AddYears(1)),
        [typeof(RejectionRequest)] = new RejectionRequest("The purpose does not need the legal representative; request uscc, name and status only."),
        [typeof(Subscription)] = Subscription,
        [typeof(AccessExplanation)] = new AccessExplanation(true, "allowed", "Subscription sub_7q2mfk4xw9c3h8rt5bnz is approved until 2027-03-02.", SubscriptionId, At.AddYears(1),
            AccessPolicy.FromStored(JsonNode.Parse(Policy().ToJsonString())!.AsObject()).Summary()),
        [typeof(AutoApprovalRequest)] = new AutoApprovalRequest(new JsonObject { ["fields"] = new JsonArray("uscc", "name", "status"), ["dailyRowQuota"] = 50000 }),
        [typeof(AutoApproval)] = new AutoApproval(DatasetId, new JsonObject { ["fields"] = new JsonArray("uscc", "name", "status"), ["dailyRowQuota"] = 50000 }, "3b1f0c9a7e5d2f48", "cli_9dk2m4x8q1w7", At),
        [typeof(WebhookRequest)] = new WebhookRequest("https://hooks.gz-hrss.gov.cn/dataexchange"),
        [typeof(Webhook)] = new Webhook(SubscriptionId, "https://hooks.gz-hrss.gov.cn/dataexchange", "whsec_0f3a9c…shown-once", At),
        [typeof(WebhookDelivery)] = new WebhookDelivery(7, DatasetId, 3, "delivered", 2, 204, null, At, At.AddSeconds(11),
            [new(1, At, 503, "Service Unavailable"), new(2, At.AddSeconds(10), 204, null)]),
        [typeof(ChainVerification)] = new ChainVerification(true, 2051, null, null, 4),
        [typeof(AuditEndpoints.EntryBody)] = new AuditEndpoints.EntryBody(1042, At, "gz-hrss", "cli_4kz8x2m7q9w3", "records-pulled", DatasetId + "@3", DatasetId, "allowed",
            new JsonObject { ["version"] = 3, ["rows"] = 100, ["policyHash"] = "3b1f0c9a7e5d2f48", ["format"] = "json", ["subscription"] = SubscriptionId },
            "8c6976e5b5410415bde908bd4dee15dfb167a9c873fc4bb8a81f6f2ab448a918", "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"),
        [typeof(CheckpointBody)] = Checkpoint,
        [typeof(InclusionBody)] = new InclusionBody(1042, 1041, 2048, "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae",
            Checkpoint.RootHash, ["fcde2b2edba56bf408601fb721fe9b5c338d10ee429ea04fae5511b68fbf8fb9", "baa5a0964d3320fbc0c6a922140453c8513ea24ab8fd0577034804a967248096"], Checkpoint),
        [typeof(ConsistencyBody)] = new ConsistencyBody(1024, 2048, "b5bb9d8014a0f9b1d61e21e796d78dccdf1352f23cd32812f4850b878ae4944c", Checkpoint.RootHash,
            ["7d865e959b2466918c9863afca942d0fb89d7c9ac0c99bafc3749504ded97730"]),
        [typeof(AuditKeyBody)] = new AuditKeyBody("audit-2026-1", "ECDSA P-256 SHA-256", "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE…\n-----END PUBLIC KEY-----\n"),
        [typeof(RecordPageBody)] = new RecordPageBody(3, [Row("Guangzhou Lingnan Trading Co., Ltd.", "active")], "MzpHMTQ0MDEwMU1BNUMySzhYMVQ"),
        [typeof(LookupBody)] = new LookupBody(DatasetId, 3, true, UsccHash, Row("Guangzhou Lingnan Trading Co., Ltd.", "active")),
        [typeof(LookupBatchRequest)] = new LookupBatchRequest([JsonValue.Create("91440101MA5C2K8X1T"), JsonValue.Create("91440101MA5D7Q3W2N")],
            "social-insurance-registration", "SI-2026-000183", null, false),
        [typeof(LookupBatchBody)] = new LookupBatchBody(DatasetId, 3, [
            new LookupBatchItem(true, UsccHash, Row("Guangzhou Lingnan Trading Co., Ltd.", "active"), null), new LookupBatchItem(false, null, null, null)]),
        [typeof(EvidenceKeyBody)] = new EvidenceKeyBody("3f9a1c2e7b5d4a60", "ES256", "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE…\n-----END PUBLIC KEY-----\n",
            new JsonObject
            {
                ["kty"] = "EC", ["crv"] = "P-256", ["x"] = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU", ["y"] = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
                ["kid"] = "3f9a1c2e7b5d4a60", ["alg"] = "ES256", ["use"] = "sig"
            }),
        [typeof(SubjectReport)] = new SubjectReport(DatasetId, "c1d0e5f8a2b4c6d8e0f1a3b5c7d9e2f4a6b8c0d1e3f5a7b9c2d4e6f8a0b1c3d5", [LookedUp,
            LookedUp with { Seq = 2107, Action = "lookup-refused", Outcome = "denied", Purpose = "marketing", CaseRef = null, Version = null, Found = null, EvidenceHash = null,
                Reason = "purpose-not-approved" }], null),
        [typeof(ChangePageBody)] = new ChangePageBody(2, 3, [
            new ChangeItem("update", "91440101MA5C2K8X1T", 3, Row("Guangzhou Lingnan Trading Co., Ltd.", "suspended")),
            new ChangeItem("delete", "91440101MA5D7Q3W2N", 3, null)], null),
    };

    // A shared component: a mainland postal address, referenced by dataset schemas as https://schemas.gd.gov.cn/address.
    static JsonObject AddressComponent() => (JsonObject)JsonNode.Parse("""
        {"type":"object","required":["province","city"],"properties":{"province":{"type":"string"},"city":{"type":"string"},
         "street":{"type":"string"},"postcode":{"type":"string","pattern":"^[0-9]{6}$"}}}
        """)!;

    const string UsccHash = "5b0e8a3c71f94d26a8e1c3f5d7b9a2c4e6f8a0b1d3c5e7f9a2b4c6d8e0f1a3b5";

    // A row as a consumer under Policy() receives it: uscc hashed, legalRep masked but its last character.
    static Dictionary<string, object?> Row(string name, string status) =>
        new() { ["uscc"] = UsccHash, ["name"] = name, ["legalRep"] = "**明", ["status"] = status };

    /// <summary>The example of <paramref name="type"/>, if there is one.</summary>
    public static object? For(Type type) => Examples.GetValueOrDefault(type);
}
