using System.Text.Json.Nodes;
using DataExchange.Core.Audit;
using DataExchange.Server.Hosting;
using static DataExchange.Server.Hosting.ExampleStory;

namespace DataExchange.Server.Audit;

/// <summary>The OpenAPI examples of the audit trail, its checkpoints and proofs (<see cref="ApiExamples"/>).</summary>
public static class AuditExamples
{
    static readonly CheckpointBody Checkpoint = new(2048, "5d41402abc4b2a76b9719d911017c592ae1f3b5c3e2e7c5d8a4b6f0e1d2c3b4a",
        "a3f1c9e5b7d2f4a6c8e0b1d3f5a7c9e2b4d6f8a0c1e3b5d7f9a2c4e6b8d0f1a3", "2026-03-02T08:30:00Z", "audit-2026-1",
        "MEUCIQDx3o2a9k1Zb7f5c2e4d6a8b0c1e3f5a7b9d2c4e6f8a0b1c3d5e7f9a2b4AiA1b3c5d7e9f0a2b4c6d8e0f1a3b5c7d9e2f4a6b8c0d1e3f5a7b9c2d4e6f8a0==",
        "dataexchange-audit-checkpoint/v1\ntree_size 2048\nroot 5d41402abc4b…\nchain a3f1c9e5b7d2…\nsigned_at 2026-03-02T08:30:00Z\n");

    const string AuditNdjson = """
        {"seq":1042,"at":"2026-03-02T08:30:00.000000Z","actorAgency":"gz-hrss","actorClient":"cli_4kz8x2m7q9w3","action":"records-pulled","target":"gd-amr.business-licences@3","datasetId":"gd-amr.business-licences","outcome":"allowed","details":{"format":"json","policyHash":"3b1f0c9a7e5d2f48","rows":100,"subscription":"sub_7q2mfk4xw9c3h8rt5bnz","version":3},"prevHash":"8c6976e5b5410415bde908bd4dee15dfb167a9c873fc4bb8a81f6f2ab448a918","hash":"2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"}

        """;

    const string AuditCsv = "seq,at,actorAgency,actorClient,action,target,datasetId,outcome,details,prevHash,hash\r\n"
        + "1042,2026-03-02T08:30:00.000000Z,gz-hrss,cli_4kz8x2m7q9w3,records-pulled,gd-amr.business-licences@3,gd-amr.business-licences,allowed,"
        + "\"{\"\"format\"\":\"\"json\"\",\"\"rows\"\":100,\"\"version\"\":3}\",8c6976e5b5410415bde908bd4dee15dfb167a9c873fc4bb8a81f6f2ab448a918,"
        + "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae\r\n";

    /// <summary>By type; the export's NDJSON and CSV by operation.</summary>
    public static readonly ExampleSet Set = new()
    {
        Types =
        {
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
        },
        Responses =
        {
            ["GET /api/v1/audit/entries/export"] = new() { ["application/x-ndjson"] = () => Text(AuditNdjson), ["text/csv"] = () => Text(AuditCsv) },
        },
    };
}
