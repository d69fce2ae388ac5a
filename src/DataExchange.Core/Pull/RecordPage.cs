namespace DataExchange.Core.Pull;

/// <summary>One page of a snapshot: the version it was read at, the records as a UTF-8 JSON array, the cursor of the next page.</summary>
public sealed record RecordPage(string DatasetId, int Version, string PolicyHash, byte[] ItemsJson, int Count, string? Next);

/// <summary>Record formats of API.md.</summary>
public enum RecordFormat
{
    Json,
    Ndjson,
    Csv,
}
