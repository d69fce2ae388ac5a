using System.Text.Json.Nodes;

namespace DataExchange.Core.Datasets.Compatibility;

/// <summary>
/// Compatibility of two JSON Schemas under Confluent Schema Registry's modes and rules
/// (io.confluent.kafka.schemaregistry.json.diff): BACKWARD means the new schema accepts every
/// record the old one accepted (new readers read old data), FORWARD the reverse, FULL both.
/// The _TRANSITIVE variants apply the same check against every earlier version; the registry
/// loops over them. Rules are those of a reader facing a writer's data: anything the reader
/// forbids that the writer allowed is an issue.
/// </summary>
public static class SchemaCompatibility
{
    /// <summary>The modes a dataset can use.</summary>
    public static IReadOnlyList<string> Modes { get; } = ["BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD", "FORWARD_TRANSITIVE", "FULL", "FULL_TRANSITIVE", "NONE"];

    /// <summary>Whether <paramref name="mode"/> checks every earlier version rather than the latest.</summary>
    public static bool IsTransitive(string mode) => mode.EndsWith("_TRANSITIVE", StringComparison.Ordinal);

    /// <summary>Every issue of moving from <paramref name="oldSchema"/> to <paramref name="newSchema"/> under <paramref name="mode"/>.</summary>
    public static IReadOnlyList<CompatibilityIssue> Check(JsonObject oldSchema, JsonObject newSchema, string mode)
    {
        var issues = new List<CompatibilityIssue>();
        var baseMode = IsTransitive(mode) ? mode[..^"_TRANSITIVE".Length] : mode;
        if (baseMode is "BACKWARD" or "FULL")
            new SchemaDiff(oldSchema, newSchema, writerIsOld: true, issues).Compare(oldSchema, newSchema, "");
        if (baseMode is "FORWARD" or "FULL")
            new SchemaDiff(newSchema, oldSchema, writerIsOld: false, issues).Compare(newSchema, oldSchema, "");
        if (baseMode is not ("BACKWARD" or "FORWARD" or "FULL" or "NONE"))
            throw new ArgumentException($"Unknown compatibility mode '{mode}'.", nameof(mode));
        return issues;
    }
}
