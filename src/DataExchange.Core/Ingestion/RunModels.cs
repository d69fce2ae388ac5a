namespace DataExchange.Core.Ingestion;

/// <summary>Status names of an ingestion run.</summary>
public static class RunStatus
{
    public const string Queued = "queued";
    public const string Running = "running";
    public const string Succeeded = "succeeded";
    public const string Unchanged = "unchanged";
    public const string Failed = "failed";
    public const string Skipped = "skipped";

    /// <summary>Whether a run in <paramref name="status"/> is over.</summary>
    public static bool IsFinal(string status) => status is Succeeded or Unchanged or Failed or Skipped;
}

/// <summary>Record counts of a run.</summary>
public sealed record RunCounts(long Read, long Valid, long Rejected, long Duplicate, long Inserted, long Updated, long Deleted, long Unchanged);

/// <summary>An ingestion run as the API shows it.</summary>
public sealed record RunInfo(
    string Id,
    string DatasetId,
    string Status,
    string Trigger,
    int SchemaVersion,
    DateTimeOffset QueuedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    string? PayloadSha256,
    int? PublishedVersion,
    string? Error,
    RunCounts Counts);

/// <summary>A rejected record with its errors.</summary>
public sealed record RejectedRecord(long Line, string Raw, System.Text.Json.Nodes.JsonNode Errors, int SchemaVersion);

/// <summary>A published dataset version.</summary>
public sealed record DatasetVersion(int Version, string RunId, int SchemaVersion, DateTimeOffset PublishedAt, VersionCounts Counts);

/// <summary>Change counts of a version and its total rows.</summary>
public sealed record VersionCounts(long Inserted, long Updated, long Deleted, long Total);

/// <summary>The dataset's lock is still held by an interrupted attempt of the same run; Hangfire retries the job later.</summary>
public sealed class DatasetBusyException(string message) : Exception(message);
