using System.Text.Json.Nodes;
using DataExchange.Core.Audit;
using DataExchange.Core.Lookup;
using DataExchange.Server.Hosting;
using static DataExchange.Server.Hosting.ExampleStory;

namespace DataExchange.Server.Lookup;

/// <summary>The OpenAPI examples of lookups, their evidence and subject access reports (<see cref="ApiExamples"/>).</summary>
public static class LookupExamples
{
    static readonly SubjectAccess LookedUp = new(2051, At, "gz-hrss", "cli_4kz8x2m7q9w3", "record-looked-up", "allowed", "social-insurance-registration", "SI-2026-000183",
        SubscriptionId, 3, true, "9b74c9897bac770ffc029102a200c5de6b5e6a2b0c9e3f0f8a1d2c3b4a5e6f70", null);

    // A compact JWS (header.payload.signature, base64url): {"alg":"ES256","kid":…,"typ":"dx-evidence+jws"} over a found record.
    const string Evidence = "eyJhbGciOiJFUzI1NiIsImtpZCI6IjNmOWExYzJlN2I1ZDRhNjAiLCJ0eXAiOiJkeC1ldmlkZW5jZStqd3MifQ"
        + ".eyJ0eXAiOiJkYXRhZXhjaGFuZ2UtbG9va3VwLWV2aWRlbmNlL3YxIiwiZGF0YXNldElkIjoiZ2QtYW1yLmJ1c2luZXNzLWxpY2VuY2VzIiwidmVyc2lvbiI6MywiZm91bmQiOnRydWV9"
        + ".MEUCIQDx3o2a9k1Zb7f5c2e4d6a8b0c1e3f5a7b9d2c4e6f8a0b1c3d5e7f9a2b4AiA1b3c5d7e9f0a2b4c6d8e0f1a3b5c7";

    /// <summary>By type; the signed evidence (application/jose) by operation.</summary>
    public static readonly ExampleSet Set = new()
    {
        Types =
        {
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
        },
        Responses =
        {
            ["GET /api/v1/datasets/{datasetId}/records/{key}"] = new() { ["application/jose"] = () => Text(Evidence) },
        },
    };
}
