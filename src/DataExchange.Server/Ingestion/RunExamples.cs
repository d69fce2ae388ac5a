using System.Text.Json.Nodes;
using DataExchange.Core.Ingestion;
using DataExchange.Server.Hosting;
using static DataExchange.Server.Hosting.ExampleStory;

namespace DataExchange.Server.Ingestion;

/// <summary>The OpenAPI examples of runs, uploads and published versions (<see cref="ApiExamples"/>).</summary>
public static class RunExamples
{
    static readonly RunCounts Counts = new(184311, 184250, 61, 0, 120, 342, 17, 183771, 58);

    const string UploadCsv = """
        uscc,name,legalRep,status,issuedOn
        91440101MA5C2K8X1T,"Guangzhou Lingnan Trading Co., Ltd.",王小明,active,2019-04-18
        91440101MA5D7Q3W2N,Guangzhou Pearl River Logistics Co.,李华,suspended,2020-11-02

        """;

    const string UploadNdjson = """
        {"uscc":"91440101MA5C2K8X1T","name":"Guangzhou Lingnan Trading Co., Ltd.","legalRep":"王小明","status":"active","issuedOn":"2019-04-18"}
        {"uscc":"91440101MA5D7Q3W2N","name":"Guangzhou Pearl River Logistics Co.","legalRep":"李华","status":"suspended","issuedOn":"2020-11-02"}

        """;

    // A held run (issue 12) after the steward's decision: released as version 4, or discarded.
    static readonly RunCounts HeldCounts = new(98070, 98060, 10, 0, 40, 130, 86243, 97890, 10);

    static JsonNode HeldRun(string status, int? version) => System.Text.Json.JsonSerializer.SerializeToNode(
        new RunInfo("43", DatasetId, status, "schedule", 1, At.AddHours(-2), At.AddHours(-2), At, "5feceb66ffc86f38d952786c6d696c79c2dbc239dd4e91b46729d73a27fb57e9",
            version, version is not null ? null : "The run would delete 86243 of 184203 published records (46.8%), above the feed's maxDeleteShare of 10%. A steward must release or discard this run.",
            HeldCounts), Core.Common.Json.Options)!;

    /// <summary>By type; raw uploads and a held run's release and discard by operation.</summary>
    public static readonly ExampleSet Set = new()
    {
        Types =
        {
            [typeof(RunInfo)] = new RunInfo("42", DatasetId, "succeeded", "schedule", 1, At.AddMinutes(-3), At.AddMinutes(-3), At, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", 3, null, Counts),
            [typeof(RejectedRecord)] = new RejectedRecord(1187, "91440101MA5CXXXX1,,active,2019-02-30",
                JsonNode.Parse("""[{"pointer":"/name","code":"required","message":"name is required."},{"pointer":"/issuedOn","code":"format","message":"2019-02-30 is not a date."}]""")!, 1),
            [typeof(DatasetVersion)] = new DatasetVersion(3, "42", 1, At, new VersionCounts(120, 342, 17, 184203)),
        },
        Requests =
        {
            ["POST /api/v1/datasets/{datasetId}/uploads"] = new()
            {
                ["text/csv"] = () => Text(UploadCsv),
                ["application/octet-stream"] = () => Text(UploadCsv),
                ["application/x-ndjson"] = () => Text(UploadNdjson),
                // The upload body is the feed's payload as bytes (schema: string), so the JSON example is its text.
                ["application/json"] = () => Text("[" + string.Join(",\n", UploadNdjson.Split('\n', StringSplitOptions.RemoveEmptyEntries)) + "]\n"),
            },
        },
        Responses =
        {
            ["POST /api/v1/datasets/{datasetId}/runs/{runId}/release"] = new() { ["application/json"] = () => HeldRun("succeeded", 4) },
            ["POST /api/v1/datasets/{datasetId}/runs/{runId}/discard"] = new() { ["application/json"] = () => HeldRun("discarded", null) },
        },
    };
}
