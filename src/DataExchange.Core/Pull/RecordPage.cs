using System.Text.Json.Nodes;

namespace DataExchange.Core.Pull;

/// <summary>One page of a snapshot: the version it was read at, the records, the cursor of the next page.</summary>
public sealed record RecordPage(string DatasetId, int Version, string PolicyHash, IReadOnlyList<JsonNode> Items, string? Next);
