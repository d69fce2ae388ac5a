using System.Text.Json.Nodes;
using DataExchange.Core.Feeds;

namespace DataExchange.Core.Datasets;

/// <summary>How a steward describes a dataset to register (the dataset manifest).</summary>
public sealed record RegisterDatasetRequest
{
    /// <summary><c>&lt;agency-code&gt;.&lt;slug&gt;</c>; the agency part must be the caller's.</summary>
    public string? Id { get; init; }
    /// <summary>Owner agency; defaults to the caller's and must equal it.</summary>
    public string? Owner { get; init; }
    public string? Title { get; init; }
    public string? Description { get; init; }
    public IReadOnlyList<string>? KeyFields { get; init; }
    /// <summary>public | internal | confidential | restricted.</summary>
    public string? Classification { get; init; }
    public IReadOnlyList<string>? Tags { get; init; }
    /// <summary>BACKWARD (default) and the other Confluent modes.</summary>
    public string? Compatibility { get; init; }
    /// <summary>The JSON Schema (draft-07) of one record.</summary>
    public JsonObject? Schema { get; init; }
    public FeedDefinition? Feed { get; init; }
    /// <summary>DCAT-AP metadata: licence, contact point, themes, coverage, open.</summary>
    public DatasetMetadata? Metadata { get; init; }
}

/// <summary>A dataset as the catalogue shows it.</summary>
public sealed record Dataset(
    string Id,
    string Owner,
    string Title,
    string Description,
    IReadOnlyList<string> KeyFields,
    string Classification,
    IReadOnlyList<string> Tags,
    string Compatibility,
    int SchemaVersion,
    DateTimeOffset CreatedAt,
    int? LatestVersion,
    DateTimeOffset? PublishedAt,
    long? RowCount,
    FeedDefinition? Feed = null,
    IReadOnlyList<SchemaVersionInfo>? SchemaVersions = null,
    DatasetMetadata? Metadata = null)
{
    /// <summary>Whether anyone may read the records without a key: public and marked open by its steward.</summary>
    public bool IsOpen => Classification == Datasets.Classification.Public && Metadata?.Open == true;
}

/// <summary>One registered schema version.</summary>
public sealed record SchemaVersionInfo(int Version, string Fingerprint, DateTimeOffset CreatedAt, JsonNode? Schema = null);

/// <summary>Allowed classifications, least to most sensitive.</summary>
public static class Classification
{
    /// <summary>Listed in the public catalogue without a key; its records may be marked open.</summary>
    public const string Public = "public";

    public static IReadOnlyList<string> All { get; } = [Public, "internal", "confidential", "restricted"];
}
