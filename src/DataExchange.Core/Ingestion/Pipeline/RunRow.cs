namespace DataExchange.Core.Ingestion;

/// <summary>A run as the pipeline reads it from <c>dx.ingestion_runs</c>.</summary>
internal sealed record RunRow(long Id, string DatasetId, RunStatus Status, RunTrigger Trigger, int SchemaVersion, long? ReplayOf, Guid Ticket)
{
    /// <summary>The run as an audit target.</summary>
    public string Target => $"{DatasetId}/runs/{Id}";
}

/// <summary>What a run reads its payload again with: the file and how to parse and validate it.</summary>
internal sealed record RunPayload(string Path, Feeds.FeedDefinition Feed, Datasets.Schemas.DatasetSchema Schema, IReadOnlyList<string> KeyFields);
