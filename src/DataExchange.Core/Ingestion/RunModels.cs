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
    /// <summary>Would delete more than the feed's maxDeleteShare (or deletions it cannot prove deliberate): waits for a steward to release or discard it.</summary>
    public const string Held = "held";
    /// <summary>A held run a steward discarded: nothing was published.</summary>
    public const string Discarded = "discarded";

    /// <summary>Whether a run in <paramref name="status"/> is over (a held run no longer runs; only a steward's release or discard moves it).</summary>
    public static bool IsFinal(string status) => status is Succeeded or Unchanged or Failed or Skipped or Held or Discarded;

    /// <summary>Every status.</summary>
    public static IReadOnlyList<string> All { get; } = [Queued, Running, Succeeded, Unchanged, Failed, Skipped, Held, Discarded];
}

/// <summary>What started a run.</summary>
public static class RunTrigger
{
    /// <summary>The feed's cron schedule.</summary>
    public const string Schedule = "schedule";
    /// <summary>A steward's POST …/runs.</summary>
    public const string Manual = "manual";
    /// <summary>A pushed payload.</summary>
    public const string Upload = "upload";
    /// <summary>A re-read of an earlier run's quarantine.</summary>
    public const string Replay = "replay";

    /// <summary>Every trigger.</summary>
    public static IReadOnlyList<string> All { get; } = [Schedule, Manual, Upload, Replay];
}

/// <summary>Record counts of a run; <paramref name="Kept"/>: published records left as they were because their key's row was rejected.</summary>
public sealed record RunCounts(long Read, long Valid, long Rejected, long Duplicate, long Inserted, long Updated, long Deleted, long Unchanged, long Kept);

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
    RunCounts Counts,
    RunProgress? Progress = null);

/// <summary>
/// How far a running run has got, from the counts the runner last wrote: <paramref name="Phase"/> reading (parse,
/// validate, stage) or publishing (de-duplicate, diff, publish); rows read per second since it started; and, with the
/// payload's size known, the bytes read so far and a linear estimate of the seconds left in the reading phase.
/// </summary>
public sealed record RunProgress(string Phase, DateTimeOffset UpdatedAt, double RowsPerSecond, long? PayloadBytes, long? BytesRead, double? SecondsLeft)
{
    /// <summary>The progress of a running run from its row, or null when it has none (not running, or no report yet).</summary>
    public static RunProgress? Of(string status, DateTimeOffset? startedAt, string? phase, DateTimeOffset? at, long read, long? payloadBytes, long? bytesRead)
    {
        if (status != RunStatus.Running || phase is null || at is not { } updated || startedAt is not { } started) return null;
        var seconds = Math.Max((updated - started).TotalSeconds, 0.001);
        double? left = phase == "reading" && payloadBytes is > 0 && bytesRead is > 0 && bytesRead <= payloadBytes
            ? Math.Round(seconds * (payloadBytes.Value - bytesRead.Value) / bytesRead.Value, 1)
            : null;
        return new RunProgress(phase, updated, Math.Round(read / seconds, 1), payloadBytes, bytesRead, left);
    }
}

/// <summary>A rejected record with its errors.</summary>
public sealed record RejectedRecord(long Line, string Raw, System.Text.Json.Nodes.JsonNode Errors, int SchemaVersion);

/// <summary>A published dataset version.</summary>
public sealed record DatasetVersion(int Version, string RunId, int SchemaVersion, DateTimeOffset PublishedAt, VersionCounts Counts);

/// <summary>Change counts of a version and its total rows.</summary>
public sealed record VersionCounts(long Inserted, long Updated, long Deleted, long Total);

/// <summary>The dataset's lock is still held by an interrupted attempt of the same run; Hangfire retries the job later.</summary>
public sealed class DatasetBusyException(string message) : Exception(message);
