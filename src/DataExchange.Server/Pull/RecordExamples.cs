using System.Text.Json.Nodes;
using DataExchange.Server.Hosting;
using static DataExchange.Server.Hosting.ExampleStory;

namespace DataExchange.Server.Pull;

/// <summary>The OpenAPI examples of pulled records and changes (<see cref="ApiExamples"/>).</summary>
public static class RecordExamples
{
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

    // The head of a per-dataset document (issue 17): a consumer's view of the licences, uscc hashed (without $refs, which linters would resolve in the example).
    static JsonNode RecordTypesExample() => JsonNode.Parse("""
        {"openapi":"3.0.3","info":{"title":"Business licence register (gd-amr.business-licences)","version":"gd-amr.business-licences@3+3b1f0c9a7e5d2f48","x-dataexchange-key-fields":["uscc"]},
         "servers":[{"url":"https://exchange.example/api/v1/datasets/gd-amr.business-licences"}],
         "paths":{"/records":{"get":{"operationId":"getRecords","responses":{"200":{"description":"A page","content":{"application/json":{"schema":{"type":"object","properties":{"version":{"type":"integer","format":"int32"},"items":{"type":"array","items":{"type":"object"}},"next":{"type":"string"}}}}}}}}}},
         "components":{"schemas":{"BusinessLicencesRecord":{"type":"object","required":["uscc"],"properties":{"uscc":{"type":"string","nullable":true,"pattern":"^[0-9a-f]{64}$","x-dataexchange-mask":"hash"},"name":{"type":"string","maxLength":200},"status":{"type":"string","enum":["active","suspended","revoked"]}}}}}}
        """)!;

    /// <summary>By type; the NDJSON and CSV streams and the per-dataset document by operation.</summary>
    public static readonly ExampleSet Set = new()
    {
        Types =
        {
            [typeof(RecordPageBody)] = new RecordPageBody(3, [Row("Guangzhou Lingnan Trading Co., Ltd.", "active")], "MzpHMTQ0MDEwMU1BNUMySzhYMVQ"),
            [typeof(ChangePageBody)] = new ChangePageBody(2, 3, [
                new ChangeItem("update", "91440101MA5C2K8X1T", 3, Row("Guangzhou Lingnan Trading Co., Ltd.", "suspended")),
                new ChangeItem("delete", "91440101MA5D7Q3W2N", 3, null)], null),
        },
        Responses =
        {
            ["GET /api/v1/datasets/{datasetId}/records.ndjson"] = new() { ["application/x-ndjson"] = () => Text(RecordsNdjson) },
            ["GET /api/v1/datasets/{datasetId}/records.csv"] = new() { ["text/csv"] = () => Text(RecordsCsv) },
            ["GET /api/v1/datasets/{datasetId}/changes.ndjson"] = new() { ["application/x-ndjson"] = () => Text(ChangesNdjson) },
            ["GET /api/v1/datasets/{datasetId}/changes.csv"] = new() { ["text/csv"] = () => Text(ChangesCsv) },
            ["GET /api/v1/datasets/{datasetId}/openapi.json"] = new() { ["application/json"] = RecordTypesExample },
        },
    };
}
