using System.Text.Json.Nodes;
using DataExchange.Core.Audit;
using DataExchange.Core.Common;
using DataExchange.Core.Feeds;

namespace DataExchange.Core.Datasets;

/// <summary>Replacing a dataset's feed definition, its credential included (issue 13, item 11).</summary>
public sealed partial class DatasetRegistry
{
    /// <summary>
    /// Replaces the feed of <paramref name="datasetId"/> (stewards of the owner), checked like a registration's;
    /// its credential is set, kept (absent) or cleared (<c>kind: none</c>). The source's validators (ETag,
    /// Last-Modified) are forgotten, so the next run fetches in full. Audited as feed-updated, without secrets.
    /// </summary>
    public async Task<FeedDefinition> UpdateFeedAsync(Caller caller, string datasetId, FeedDefinition request, CancellationToken cancellationToken = default)
    {
        await RequireOwnerAsync(caller, datasetId, cancellationToken);
        DocumentSchemas.Validate((DocumentSchemas.FeedDefinition, request, ""));
        var feed = await RefusingAsync(caller, datasetId, request, () => FeedValidator.Normalise(request, feedOptions.Value, feedHosts, caller.AgencyId, ""), cancellationToken);
        var now = time.GetUtcNow();
        await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken);
        string before;
        await using (var cmd = Db.Command(conn, "select source from dx.feeds where dataset_id = $1 for update", datasetId))
            before = await cmd.ExecuteScalarAsync(cancellationToken) as string ?? throw new NotFoundException($"Dataset '{datasetId}' has no feed.");
        var credential = await credentials.ApplyAsync(conn, datasetId, feed, "/credential", now, cancellationToken);
        await UpsertFeedAsync(conn, datasetId, feed, now, cancellationToken);
        var details = new JsonObject
        {
            ["source"] = FeedUrls.Redact(feed.Source), ["previousSource"] = FeedUrls.Redact(before),
            ["format"] = feed.Format, ["mode"] = feed.Mode, ["cron"] = feed.Cron,
        };
        if (credential is not null) details["credential"] = credential;
        if (feed.Credential?.Kind is { } kind && kind != FeedCredential.None) details["credentialKind"] = kind;
        await audit.AppendAsync(conn, new AuditRecord(caller, AuditAction.FeedUpdated, AuditOutcome.Succeeded, $"{datasetId}/feed", datasetId, details), cancellationToken);
        await tx.CommitAsync(cancellationToken);
        scheduler.Schedule(datasetId, feed.Cron);
        return await GetFeedAsync(datasetId, cancellationToken);
    }
}
