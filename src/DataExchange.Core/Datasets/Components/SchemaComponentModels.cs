using System.Text.Json.Nodes;

namespace DataExchange.Core.Datasets.Components;

/// <summary>A request to register the next version of a shared schema component.</summary>
/// <param name="Uri">The stable absolute URI dataset schemas $ref it by (no fragment).</param>
/// <param name="Schema">The component's JSON Schema.</param>
/// <param name="Draft">The draft a schema without $schema is read as: "draft-07" (default) or "2020-12".</param>
public sealed record RegisterComponentRequest(string? Uri, JsonNode? Schema, string? Draft = null);

/// <summary>One version of a shared schema component; <see cref="Schema"/> only when one version is asked for.</summary>
public sealed record SchemaComponentInfo(string Uri, int Version, string Owner, string Draft, string Fingerprint, DateTimeOffset RegisteredAt)
{
    public JsonNode? Schema { get; init; }
}
