using DataExchange.Core.Common;

namespace DataExchange.Core.Feeds;

/// <summary>Checks a feed definition and fills in its defaults.</summary>
public static class FeedValidator
{
    static readonly string[] Formats = ["csv", "json", "ndjson"];
    static readonly string[] Modes = ["snapshot", "incremental"];
    static readonly string[] Encodings = ["utf-8", "gb18030", "gbk"];

    /// <summary>Whether <paramref name="e"/> refuses the feed's source (audited as feed-source-refused), rather than listing mistakes.</summary>
    public static bool IsRefusal(InvalidException e) => e.Code is DropFolder.Refused or FeedUrls.SecretInUrl;

    /// <summary>
    /// The definition of a feed of <paramref name="agencyId"/> with defaults applied; throws listing every
    /// problem, or with code <c>feed-source-refused</c> or <c>secret-in-url</c> alone when the source is refused (<see cref="IsRefusal"/>).
    /// </summary>
    public static FeedDefinition Normalise(FeedDefinition feed, FeedOptions options, FeedHostList hosts, string agencyId, string pointer = "/feed")
    {
        var errors = new List<ProblemItem>();
        var source = feed.Source?.Trim() ?? "";
        if (source.StartsWith("file:", StringComparison.Ordinal))
        {
            if (DropFolder.Check(options, agencyId, source["file:".Length..], out _) is { } refusal)
                throw new InvalidException(DropFolder.Refused, $"The feed source is refused: {refusal.Message}", [new(pointer + "/source", refusal.Code, refusal.Message)]);
        }
        else if (source.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || source.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            if (!Uri.TryCreate(source, UriKind.Absolute, out var uri))
                errors.Add(new(pointer + "/source", "invalid-url", "The URL is not valid."));
            else if (FeedUrls.SecretPart(uri) is { } secret)
                throw new InvalidException(FeedUrls.SecretInUrl, $"The feed URL carries a secret in {secret}, and URLs are shown to every agency. Put it in the feed's credential (bearer, basic or header), which is sealed and never shown.",
                    [new(pointer + "/source", FeedUrls.SecretInUrl, $"Remove {secret} from the URL and give it as the credential.")]);
            else if (!hosts.Allows(uri))
                errors.Add(new(pointer + "/source", "host-not-allowed", $"The host '{uri.Host}' is not on the exchange's allow-list; ask an admin to allow it."));
        }
        else if (source != "upload")
        {
            errors.Add(new(pointer + "/source", "invalid-source", "Use file:<path>, an http(s) URL, or upload."));
        }
        var format = feed.Format ?? "csv";
        if (!Formats.Contains(format)) errors.Add(new(pointer + "/format", "enum", "Use csv, json or ndjson."));
        var mode = feed.Mode ?? "snapshot";
        if (!Modes.Contains(mode)) errors.Add(new(pointer + "/mode", "enum", "Use snapshot or incremental."));
        if (feed.Delimiter is { Length: not 1 } || feed.Delimiter is ['\r' or '\n' or '"'])
            errors.Add(new(pointer + "/delimiter", "invalid", "The delimiter must be one character, not a quote or line break."));
        if (feed.Quote is { Length: not 1 }) errors.Add(new(pointer + "/quote", "invalid", "The quote must be one character."));
        var encoding = feed.Encoding?.ToLowerInvariant() ?? "utf-8";
        if (!Encodings.Contains(encoding)) errors.Add(new(pointer + "/encoding", "enum", "Use utf-8, gb18030 or gbk."));
        if (feed.RejectThreshold is < 0 or > 1) errors.Add(new(pointer + "/rejectThreshold", "range", "Give a share between 0 and 1."));
        if (feed.MaxDeleteShare is < 0 or > 1 or double.NaN) errors.Add(new(pointer + "/maxDeleteShare", "range", "Give a share between 0 and 1."));
        var onConflict = feed.OnConflict ?? "reject";
        if (onConflict is not ("reject" or "last-wins")) errors.Add(new(pointer + "/onConflict", "enum", "Use reject or last-wins."));
        if (feed.DeleteMarker is { } marker && (mode != "incremental" || string.IsNullOrWhiteSpace(marker)))
            errors.Add(new(pointer + "/deleteMarker", "invalid", "A delete marker names a boolean field and needs mode incremental (a snapshot deletes by omission)."));
        if (feed.Cron is { } cron && !IsCron(cron)) errors.Add(new(pointer + "/cron", "invalid-cron", "Give a 5-field cron expression, e.g. '0 2 * * *'."));
        if (feed.Credential is { } credential) errors.AddRange(FeedCredentials.Problems(credential, source, pointer + "/credential"));
        if (feed.Cron is null && source != "upload") errors.Add(new(pointer + "/cron", "required", "Give a cron schedule for a pulled feed."));
        if (errors.Count > 0) throw new InvalidException("invalid-feed", "The feed definition is not valid.", errors);
        return feed with
        {
            Source = source,
            Format = format,
            Mode = mode,
            Encoding = encoding,
            OnConflict = onConflict,
            Delimiter = feed.Delimiter ?? ",",
            Quote = feed.Quote ?? "\"",
            RejectThreshold = feed.RejectThreshold ?? 0.1,
            MaxDeleteShare = feed.MaxDeleteShare ?? FeedDefinition.DefaultMaxDeleteShare,
        };
    }

    static bool IsCron(string cron)
    {
        try
        {
            _ = Cronos.CronExpression.Parse(cron);
            return true;
        }
        catch (Cronos.CronFormatException)
        {
            return false;
        }
    }
}
