namespace DataExchange.Core.Datasets.Schemas;

/// <summary>
/// Why a record was rejected: a stable code, where in the record (JSON Pointer), which rule
/// (pointer into the schema), a message, and the schema version it was checked against.
/// </summary>
public sealed record RecordError(string Code, string Pointer, string SchemaPointer, string Message, int SchemaVersion);
