namespace DataExchange.Core.Datasets.Compatibility;

/// <summary>
/// One reason a schema change breaks compatibility: where (JSON Pointer into the schema), which
/// rule (Confluent Schema Registry's difference name, e.g. MAX_LENGTH_DECREASED), the old and new
/// values as JSON text ("" when absent) and a sentence for the steward.
/// </summary>
public sealed record CompatibilityIssue(string Pointer, string Rule, string Old, string New, string Message);

/// <summary>The verdict of checking a candidate schema against a dataset's earlier versions.</summary>
public sealed record CompatibilityReport(bool Compatible, string Mode, IReadOnlyList<CompatibilityIssue> Issues);
