using System.Text.Json.Nodes;

namespace DataExchange.Server.Hosting;

public static partial class ApiExamples
{
    const string UploadCsv = """
        uscc,name,legalRep,status,issuedOn
        91440101MA5C2K8X1T,"Guangzhou Lingnan Trading Co., Ltd.",王小明,active,2019-04-18
        91440101MA5D7Q3W2N,Guangzhou Pearl River Logistics Co.,李华,suspended,2020-11-02

        """;

    const string UploadNdjson = """
        {"uscc":"91440101MA5C2K8X1T","name":"Guangzhou Lingnan Trading Co., Ltd.","legalRep":"王小明","status":"active","issuedOn":"2019-04-18"}
        {"uscc":"91440101MA5D7Q3W2N","name":"Guangzhou Pearl River Logistics Co.","legalRep":"李华","status":"suspended","issuedOn":"2020-11-02"}

        """;

    const string RecordsNdjson = """
        {"uscc":"5b0e8a3c71f94d26a8e1c3f5d7b9a2c4e6f8a0b1d3c5e7f9a2b4c6d8e0f1a3b5","name":"Guangzhou Lingnan Trading Co., Ltd.","legalRep":"**明","status":"active"}

        """;

    const string RecordsCsv = "uscc,name,legalRep,status\r\n5b0e8a3c71f94d26a8e1c3f5d7b9a2c4e6f8a0b1d3c5e7f9a2b4c6d8e0f1a3b5,\"Guangzhou Lingnan Trading Co., Ltd.\",**明,active\r\n";

    const string ChangesNdjson = """
        {"op":"update","key":"91440101MA5C2K8X1T","version":3,"record":{"uscc":"5b0e8a3c71f94d26a8e1c3f5d7b9a2c4e6f8a0b1d3c5e7f9a2b4c6d8e0f1a3b5","name":"Guangzhou Lingnan Trading Co., Ltd.","legalRep":"**明","status":"suspended"}}
        {"op":"delete","key":"91440101MA5D7Q3W2N","version":3}

        """;

    const string ChangesCsv = "_op,_key,_version,uscc,name,legalRep,status\r\n"
        + "update,91440101MA5C2K8X1T,3,5b0e8a3c71f94d26a8e1c3f5d7b9a2c4e6f8a0b1d3c5e7f9a2b4c6d8e0f1a3b5,\"Guangzhou Lingnan Trading Co., Ltd.\",**明,suspended\r\n"
        + "delete,91440101MA5D7Q3W2N,3,,,,\r\n";

    const string AuditNdjson = """
        {"seq":1042,"at":"2026-03-02T08:30:00.000000Z","actorAgency":"gz-hrss","actorClient":"cli_4kz8x2m7q9w3","action":"records-pulled","target":"gd-amr.business-licences@3","datasetId":"gd-amr.business-licences","outcome":"allowed","details":{"format":"json","policyHash":"3b1f0c9a7e5d2f48","rows":100,"subscription":"sub_7q2mfk4xw9c3h8rt5bnz","version":3},"prevHash":"8c6976e5b5410415bde908bd4dee15dfb167a9c873fc4bb8a81f6f2ab448a918","hash":"2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"}

        """;

    const string AuditCsv = "seq,at,actorAgency,actorClient,action,target,datasetId,outcome,details,prevHash,hash\r\n"
        + "1042,2026-03-02T08:30:00.000000Z,gz-hrss,cli_4kz8x2m7q9w3,records-pulled,gd-amr.business-licences@3,gd-amr.business-licences,allowed,"
        + "\"{\"\"format\"\":\"\"json\"\",\"\"rows\"\":100,\"\"version\"\":3}\",8c6976e5b5410415bde908bd4dee15dfb167a9c873fc4bb8a81f6f2ab448a918,"
        + "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae\r\n";

    const string DcatTurtle = """
        @prefix dcat: <http://www.w3.org/ns/dcat#> .
        @prefix dct: <http://purl.org/dc/terms/> .

        <https://exchange.example/api/v1/datasets/gd-amr.business-licences> a dcat:Dataset ;
            dct:title "Business licence register" ;
            dct:publisher <https://exchange.example/api/v1/agencies/gd-amr> ;
            dcat:distribution <https://exchange.example/api/v1/datasets/gd-amr.business-licences/records.csv> .

        """;

    // A catalogue page: the same dataset, and the page as a hydra:PagedCollection naming the next one.
    const string DcatPageTurtle = """
        @prefix dcat: <http://www.w3.org/ns/dcat#> .
        @prefix dct: <http://purl.org/dc/terms/> .
        @prefix hydra: <http://www.w3.org/ns/hydra/core#> .
        @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

        <https://exchange.example/api/v1/catalogue/dcat> a dcat:Catalog ;
            dct:title "DataExchange catalogue" ;
            dcat:dataset <https://exchange.example/api/v1/datasets/gd-amr.business-licences> .

        <https://exchange.example/api/v1/datasets/gd-amr.business-licences> a dcat:Dataset ;
            dct:title "Business licence register" ;
            dct:publisher <https://exchange.example/api/v1/agencies/gd-amr> .

        <https://exchange.example/api/v1/catalogue/dcat?limit=1> a hydra:PagedCollection ;
            hydra:totalItems "214"^^xsd:integer ;
            hydra:itemsPerPage "1"^^xsd:integer ;
            hydra:firstPage "https://exchange.example/api/v1/catalogue/dcat?limit=1" ;
            hydra:nextPage "https://exchange.example/api/v1/catalogue/dcat?limit=1&after=Z2QtYW1yLmJ1c2luZXNzLWxpY2VuY2Vz" .

        """;

    const string DcatJsonLd = """
        {"@context":{"dcat":"http://www.w3.org/ns/dcat#","dct":"http://purl.org/dc/terms/"},"@graph":[{"@id":"https://exchange.example/api/v1/datasets/gd-amr.business-licences","@type":["dcat:Dataset"],"dct:title":[{"@value":"Business licence register"}],"dct:publisher":[{"@id":"https://exchange.example/api/v1/agencies/gd-amr"}]}]}
        """;
    // A compact JWS (header.payload.signature, base64url): {"alg":"ES256","kid":…,"typ":"dx-evidence+jws"} over a found record.
    const string Evidence = "eyJhbGciOiJFUzI1NiIsImtpZCI6IjNmOWExYzJlN2I1ZDRhNjAiLCJ0eXAiOiJkeC1ldmlkZW5jZStqd3MifQ"
        + ".eyJ0eXAiOiJkYXRhZXhjaGFuZ2UtbG9va3VwLWV2aWRlbmNlL3YxIiwiZGF0YXNldElkIjoiZ2QtYW1yLmJ1c2luZXNzLWxpY2VuY2VzIiwidmVyc2lvbiI6MywiZm91bmQiOnRydWV9"
        + ".MEUCIQDx3o2a9k1Zb7f5c2e4d6a8b0c1e3f5a7b9d2c4e6f8a0b1c3d5e7f9a2b4AiA1b3c5d7e9f0a2b4c6d8e0f1a3b5c7";

    static JsonObject NextSchemaVersion()
    {
        var schema = RecordSchema();
        schema["properties"]!["registeredCapital"] = new JsonObject { ["type"] = "number", ["minimum"] = 0 };
        return schema;
    }

    // What a body's or response's type cannot say: JSON Schema documents (typed JsonObject), raw uploads,
    // and the streamed text formats. Keyed by "METHOD /path" as in the document, then by media type.
    static readonly Dictionary<string, Dictionary<string, Func<JsonNode>>> RequestExamples = new(StringComparer.Ordinal)
    {
        ["POST /api/v1/datasets/{datasetId}/schemas"] = new() { ["application/json"] = NextSchemaVersion },
        ["POST /api/v1/datasets/{datasetId}/schemas/compatibility"] = new() { ["application/json"] = NextSchemaVersion },
        ["POST /api/v1/datasets/{datasetId}/uploads"] = new()
        {
            ["text/csv"] = () => Text(UploadCsv),
            ["application/octet-stream"] = () => Text(UploadCsv),
            ["application/x-ndjson"] = () => Text(UploadNdjson),
            // The upload body is the feed's payload as bytes (schema: string), so the JSON example is its text.
            ["application/json"] = () => Text("[" + string.Join(",\n", UploadNdjson.Split('\n', StringSplitOptions.RemoveEmptyEntries)) + "]\n"),
        },
    };

    // A held run (issue 12) after the steward's decision: released as version 4, or discarded.
    static readonly Core.Ingestion.RunCounts HeldCounts = new(98070, 98060, 10, 0, 40, 130, 86243, 97890, 10);

    static JsonNode HeldRun(string status, int? version) => System.Text.Json.JsonSerializer.SerializeToNode(
        new Core.Ingestion.RunInfo("43", DatasetId, status, "schedule", 1, At.AddHours(-2), At.AddHours(-2), At, "5feceb66ffc86f38d952786c6d696c79c2dbc239dd4e91b46729d73a27fb57e9",
            version, version is not null ? null : "The run would delete 86243 of 184203 published records (46.8%), above the feed's maxDeleteShare of 10%. A steward must release or discard this run.",
            HeldCounts), Core.Common.Json.Options)!;

    static readonly Dictionary<string, Dictionary<string, Func<JsonNode>>> ResponseExamples = new(StringComparer.Ordinal)
    {
        ["POST /api/v1/datasets/{datasetId}/runs/{runId}/release"] = new() { ["application/json"] = () => HeldRun("succeeded", 4) },
        ["POST /api/v1/datasets/{datasetId}/runs/{runId}/discard"] = new() { ["application/json"] = () => HeldRun("discarded", null) },
        ["GET /api/v1/datasets/{datasetId}/records.ndjson"] = new() { ["application/x-ndjson"] = () => Text(RecordsNdjson) },
        ["GET /api/v1/datasets/{datasetId}/records.csv"] = new() { ["text/csv"] = () => Text(RecordsCsv) },
        ["GET /api/v1/datasets/{datasetId}/changes.ndjson"] = new() { ["application/x-ndjson"] = () => Text(ChangesNdjson) },
        ["GET /api/v1/datasets/{datasetId}/changes.csv"] = new() { ["text/csv"] = () => Text(ChangesCsv) },
        ["GET /api/v1/datasets/{datasetId}/versions/{version}/datapackage.json"] = new()
        {
            ["application/json"] = () => JsonNode.Parse("""{"profile":"tabular-data-package","name":"gd-amr.business-licences","title":"Business licence register","version":"3","resources":[{"name":"gd-amr.business-licences","path":"https://exchange.example/api/v1/datasets/gd-amr.business-licences/records.csv?version=3","profile":"tabular-data-resource","format":"csv","mediatype":"text/csv","encoding":"utf-8","schema":{"fields":[{"name":"uscc","type":"string","constraints":{"required":true}},{"name":"issuedOn","type":"date"}],"primaryKey":["uscc"],"missingValues":[""]}}]}""")!,
        },
        ["GET /api/v1/datasets/{datasetId}/openapi.json"] = new() { ["application/json"] = RecordTypesExample },
        ["GET /api/v1/catalogue/dcat"] = new() { ["application/ld+json"] = () => Text(DcatJsonLd), ["text/turtle"] = () => Text(DcatPageTurtle) },
        ["GET /api/v1/catalogue/{datasetId}/dcat"] = new() { ["application/ld+json"] = () => Text(DcatJsonLd), ["text/turtle"] = () => Text(DcatTurtle) },
        ["GET /api/v1/audit/entries/export"] = new() { ["application/x-ndjson"] = () => Text(AuditNdjson), ["text/csv"] = () => Text(AuditCsv) },
        ["GET /api/v1/datasets/{datasetId}/records/{key}"] = new() { ["application/jose"] = () => Text(Evidence) },
    };

    static JsonValue Text(string text) => JsonValue.Create(text);

    // The head of a per-dataset document (issue 17): a consumer's view of the licences, uscc hashed (without $refs, which linters would resolve in the example).
    static JsonNode RecordTypesExample() => JsonNode.Parse("""
        {"openapi":"3.0.3","info":{"title":"Business licence register (gd-amr.business-licences)","version":"gd-amr.business-licences@3+3b1f0c9a7e5d2f48","x-dataexchange-key-fields":["uscc"]},
         "servers":[{"url":"https://exchange.example/api/v1/datasets/gd-amr.business-licences"}],
         "paths":{"/records":{"get":{"operationId":"getRecords","responses":{"200":{"description":"A page","content":{"application/json":{"schema":{"type":"object","properties":{"version":{"type":"integer","format":"int32"},"items":{"type":"array","items":{"type":"object"}},"next":{"type":"string"}}}}}}}}}},
         "components":{"schemas":{"BusinessLicencesRecord":{"type":"object","required":["uscc"],"properties":{"uscc":{"type":"string","nullable":true,"pattern":"^[0-9a-f]{64}$","x-dataexchange-mask":"hash"},"name":{"type":"string","maxLength":200},"status":{"type":"string","enum":["active","suspended","revoked"]}}}}}}
        """)!;

    /// <summary>The request body example of <paramref name="operation"/> ("METHOD /path") in <paramref name="mediaType"/>, if it has its own.</summary>
    public static JsonNode? ForRequest(string operation, string mediaType) =>
        RequestExamples.GetValueOrDefault(operation)?.GetValueOrDefault(mediaType)?.Invoke();

    /// <summary>The success response example of <paramref name="operation"/> in <paramref name="mediaType"/>, if it has its own.</summary>
    public static JsonNode? ForResponse(string operation, string mediaType) =>
        ResponseExamples.GetValueOrDefault(operation)?.GetValueOrDefault(mediaType)?.Invoke();

    /// <summary>Example values of path and query parameters, by name.</summary>
    public static JsonNode? ForParameter(string name, bool integer) => name switch
    {
        "datasetId" or "dataset" => DatasetId,
        "agencyId" or "owner" => "gd-amr",
        "agency" => "gz-hrss",
        "client" => "cli_4kz8x2m7q9w3",
        "keyId" => KeyId,
        "subscriptionId" => SubscriptionId,
        "runId" => 42,
        "version" => 3,
        "since" => 2,
        "until" => 3,
        "seq" => 1042,
        "treeSize" => 2048,
        "from" => integer ? 1024 : "2026-03-01T00:00:00Z",
        "to" => integer ? 2048 : "2026-03-02T00:00:00Z",
        "limit" => 100,
        "format" => "ndjson",
        "q" => "licence",
        "tag" => "business",
        "classification" => "internal",
        "status" => "pending",
        "action" => "records-pulled",
        "outcome" => "denied",
        "key" => "91440101MA5C2K8X1T",
        "evidence" => false,
        "Dx-Purpose" => "social-insurance-registration",
        "Dx-Case-Ref" => "SI-2026-000183",
        _ => null,
    };
}
