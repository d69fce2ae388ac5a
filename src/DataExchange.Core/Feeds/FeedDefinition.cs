namespace DataExchange.Core.Feeds;

/// <summary>Where and how a dataset's records arrive, and on what schedule.</summary>
public sealed record FeedDefinition
{
    /// <summary>The default of <see cref="MaxDeleteShare"/>, also for feeds stored before the option existed.</summary>
    public const double DefaultMaxDeleteShare = 0.1;

    /// <summary><c>file:&lt;agency&gt;/&lt;path&gt;</c> in the owning agency's drop folder (no links), <c>http(s)://…</c> on an allowed host, or <c>upload</c> (pushed by the steward).</summary>
    public string? Source { get; init; }
    /// <summary>csv (default), json (an array of objects) or ndjson.</summary>
    public string? Format { get; init; }
    /// <summary>Cron schedule (5 fields, UTC); absent for upload-only feeds.</summary>
    public string? Cron { get; init; }
    /// <summary>snapshot (default: keys missing from a payload are deleted) or incremental (upserts only).</summary>
    public string? Mode { get; init; }
    /// <summary>CSV field separator; default ",".</summary>
    public string? Delimiter { get; init; }
    /// <summary>CSV quote character; default '"'.</summary>
    public string? Quote { get; init; }
    /// <summary>Text encoding: utf-8 (default; a BOM is honoured) or gb18030 / gbk.</summary>
    public string? Encoding { get; init; }
    /// <summary>Whether the payload is gzip-compressed; default: detected from the magic bytes.</summary>
    public bool? Gzip { get; init; }
    /// <summary>Share of rejected records (0–1) above which a run fails and publishes nothing; default 0.1.</summary>
    public double? RejectThreshold { get; init; }
    /// <summary>
    /// Share of the published records (0–1) a run may delete before it is held for a steward instead of
    /// published (snapshots and delete markers alike; a first load is never held); default 0.1.
    /// </summary>
    public double? MaxDeleteShare { get; init; }
    /// <summary>Same key with different content in one payload: reject (default) or last-wins.</summary>
    public string? OnConflict { get; init; }
    /// <summary>Compare keys case-insensitively (case-folded with the invariant culture before de-duplication and merge); default false.</summary>
    public bool? CaseInsensitiveKeys { get; init; }
    /// <summary>Incremental mode only: a boolean field whose true value deletes the record's key instead of upserting it.</summary>
    public string? DeleteMarker { get; init; }
    /// <summary>HTTP sources: how the fetch authenticates (bearer, basic, header); answers show its kind only.</summary>
    public FeedCredential? Credential { get; init; }
}
