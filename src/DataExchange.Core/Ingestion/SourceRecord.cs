namespace DataExchange.Core.Ingestion;

/// <summary>
/// One record as read from the payload, before validation: CSV cells, or the JSON text of one
/// object; with its line number and the raw text kept for quarantine.
/// </summary>
public readonly record struct SourceRecord(long Line, string[]? Cells, string? Json, string Raw);
