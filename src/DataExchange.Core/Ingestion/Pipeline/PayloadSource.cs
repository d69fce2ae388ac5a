using DataExchange.Core.Common;
using DataExchange.Core.Feeds;
using Npgsql;

namespace DataExchange.Core.Ingestion;

/// <summary>
/// Where a run's payload comes from, spooled to a local file: the feed's source (conditionally, with the
/// validators the source last answered), the pushed upload, or the quarantine a replay reads again.
/// </summary>
public sealed class PayloadSource(FeedSources sources, UploadStore uploads, QuarantineReplay replay)
{
    /// <summary>The run's payload, spooled; <see cref="FetchedPayload.NotModified"/> when the source answered 304.</summary>
    internal async Task<FetchedPayload> SpoolAsync(NpgsqlConnection conn, RunRow run, string owner, FeedDefinition feed, CancellationToken cancellationToken)
    {
        var (etag, lastModified) = await GetValidatorsAsync(conn, run.DatasetId, cancellationToken);
        return run.Trigger switch
        {
            RunTrigger.Upload => await uploads.SpoolAsync(run.Id, cancellationToken),
            RunTrigger.Replay => await replay.SpoolAsync(conn, run.ReplayOf!.Value, feed, cancellationToken),
            _ => await sources.FetchAsync(run.DatasetId, owner, feed, etag, lastModified, cancellationToken),
        };
    }

    static async Task<(string?, string?)> GetValidatorsAsync(NpgsqlConnection conn, string datasetId, CancellationToken cancellationToken)
    {
        await using var cmd = Db.Command(conn, "select etag, last_modified from dx.feeds where dataset_id = $1", datasetId);
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        return await r.ReadAsync(cancellationToken) ? (r.Get<string>(0), r.Get<string>(1)) : (null, null);
    }

    /// <summary>
    /// Remembers the source's ETag/Last-Modified, only once its payload was taken: saved earlier, a
    /// payload that failed (cut short, too many rejects) would answer 304 to the next attempt, and the
    /// run would end 'unchanged' with the fixed payload never read.
    /// </summary>
    internal static async Task SaveValidatorsAsync(NpgsqlConnection conn, long runId, FetchedPayload payload, CancellationToken cancellationToken)
    {
        if (payload.ETag is null && payload.LastModified is null) return;
        const string sql = "update dx.feeds set etag = $2, last_modified = $3 where dataset_id = (select dataset_id from dx.ingestion_runs where id = $1)";
        await using var feed = Db.Command(conn, sql, runId, Db.Typed(payload.ETag), Db.Typed(payload.LastModified));
        await feed.ExecuteNonQueryAsync(cancellationToken);
    }
}
