namespace DataExchange.Core.Ingestion;

/// <summary>Where an ingestion run is. Stored, audited and shown by its name (<see cref="RunNames"/>).</summary>
public enum RunStatus
{
    Queued,
    Running,
    Succeeded,
    Unchanged,
    Failed,
    Skipped,
    /// <summary>Would delete more than the feed's maxDeleteShare (or deletions it cannot prove deliberate): waits for a steward to release or discard it.</summary>
    Held,
    /// <summary>A held run a steward discarded: nothing was published.</summary>
    Discarded,
}

/// <summary>What started a run. Stored, audited and shown by its name (<see cref="RunNames"/>).</summary>
public enum RunTrigger
{
    /// <summary>The feed's cron schedule.</summary>
    Schedule,
    /// <summary>A steward's POST …/runs.</summary>
    Manual,
    /// <summary>A pushed payload.</summary>
    Upload,
    /// <summary>A re-read of an earlier run's quarantine.</summary>
    Replay,
}

/// <summary>The names of run statuses and triggers, as <c>dx.ingestion_runs</c>, the audit log and the API hold them.</summary>
public static class RunNames
{
    /// <summary>The status's name: queued, running, succeeded, unchanged, failed, skipped, held, discarded.</summary>
    public static string Name(this RunStatus status) => status switch
    {
        RunStatus.Queued => "queued",
        RunStatus.Running => "running",
        RunStatus.Succeeded => "succeeded",
        RunStatus.Unchanged => "unchanged",
        RunStatus.Failed => "failed",
        RunStatus.Skipped => "skipped",
        RunStatus.Held => "held",
        RunStatus.Discarded => "discarded",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    /// <summary>The trigger's name: schedule, manual, upload, replay.</summary>
    public static string Name(this RunTrigger trigger) => trigger switch
    {
        RunTrigger.Schedule => "schedule",
        RunTrigger.Manual => "manual",
        RunTrigger.Upload => "upload",
        RunTrigger.Replay => "replay",
        _ => throw new ArgumentOutOfRangeException(nameof(trigger), trigger, null),
    };

    /// <summary>The status named <paramref name="name"/>; throws on a name no status has.</summary>
    public static RunStatus ParseStatus(string name)
    {
        foreach (var status in Enum.GetValues<RunStatus>())
            if (status.Name() == name) return status;
        throw new ArgumentException($"'{name}' is not a run status.", nameof(name));
    }

    /// <summary>The trigger named <paramref name="name"/>; throws on a name no trigger has.</summary>
    public static RunTrigger ParseTrigger(string name)
    {
        foreach (var trigger in Enum.GetValues<RunTrigger>())
            if (trigger.Name() == name) return trigger;
        throw new ArgumentException($"'{name}' is not a run trigger.", nameof(name));
    }

    /// <summary>Whether a run in <paramref name="status"/> is over (a held run no longer runs; only a steward's release or discard moves it).</summary>
    public static bool IsFinal(this RunStatus status) => status is not (RunStatus.Queued or RunStatus.Running);

    /// <summary>Every status's name.</summary>
    public static IReadOnlyList<string> Statuses { get; } = [.. Enum.GetValues<RunStatus>().Select(s => s.Name())];

    /// <summary>Every trigger's name.</summary>
    public static IReadOnlyList<string> Triggers { get; } = [.. Enum.GetValues<RunTrigger>().Select(t => t.Name())];
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
        if (status != RunStatus.Running.Name() || phase is null || at is not { } updated || startedAt is not { } started) return null;
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
