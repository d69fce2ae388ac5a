using System.Text.Json.Nodes;
using DataExchange.Core.Datasets;
using DataExchange.Core.Feeds;

namespace DataExchange.Server.Hosting;

/// <summary>
/// The one story every OpenAPI example tells (gd-amr publishes business licences, gz-hrss consumes them): the
/// dataset, subscription, policy and rows that appear in many features' answers, so each feature's examples
/// (<see cref="ExampleSet"/>) can tell the same story.
/// </summary>
public static class ExampleStory
{
    public const string DatasetId = "gd-amr.business-licences";
    public const string SubscriptionId = "sub_7q2mfk4xw9c3h8rt5bnz";
    public const string KeyId = "key_c8v1k3m9q2x7w4z6t5ab";
    public static readonly DateTimeOffset At = new(2026, 3, 2, 8, 30, 0, TimeSpan.Zero);

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

    public static readonly FeedDefinition Feed = new() { Source = "file:gd-amr/business-licences.csv", Format = "csv", Cron = "0 2 * * *", Mode = "snapshot", Delimiter = ",", MaxDeleteShare = 0.1 };
    public static readonly SchemaVersionInfo SchemaVersion = new(1, "9f2c4e1ab37d5e08", At.AddDays(-30));
    public static readonly Dataset Dataset = new(DatasetId, "gd-amr", "Business licence register", "Businesses registered with the Guangdong AMR, one row per unified social credit code.",
        ["uscc"], "internal", ["business", "licence"], "BACKWARD", 1, At.AddDays(-30), 3, At, 184203, Feed, [SchemaVersion]);

    public const string UsccHash = "5b0e8a3c71f94d26a8e1c3f5d7b9a2c4e6f8a0b1d3c5e7f9a2b4c6d8e0f1a3b5";

    // A row as a consumer under Policy() receives it: uscc hashed, legalRep masked but its last character.
    public static Dictionary<string, object?> Row(string name, string status) =>
        new() { ["uscc"] = UsccHash, ["name"] = name, ["legalRep"] = "**明", ["status"] = status };

    /// <summary>A text format's example: the document as a JSON string.</summary>
    public static JsonValue Text(string text) => JsonValue.Create(text);
}
