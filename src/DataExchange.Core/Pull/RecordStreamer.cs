using System.Text.Json.Nodes;
using System.Threading.RateLimiting;
using DataExchange.Core.Audit;
using DataExchange.Core.Common;
using Microsoft.Extensions.Options;
using Npgsql;

namespace DataExchange.Core.Pull;

/// <summary>
/// Streams a read's rows in keyset chunks that hold a connection only while they are read (issue 13, items 6
/// and 13), each chunk's rows reserved first; the pull is on the record before its first byte and after its last.
/// </summary>
public sealed class RecordStreamer(NpgsqlDataSource dataSource, PullService pull, PullQuota quota, PullStreams streams, AuditWriter audit, IOptions<PullOptions> options)
{
    /// <summary>
    /// Retry-After of a stream refused for too many open ones: a 30,000-row stream took ~3 s under the
    /// load test's 50 clients, so one of the caller's streams has likely ended within 10 s.
    /// </summary>
    static readonly TimeSpan StreamRetryAfter = TimeSpan.FromSeconds(10);

    /// <summary>Where a stream is: the last key read, the rows and bytes read so far, and whether the last chunk was the end.</summary>
    sealed class StreamPosition(string? afterKey)
    {
        public string? AfterKey { get; set; } = afterKey;
        public long Rows { get; set; }
        public long Bytes { get; set; }
        public bool Done { get; set; }
    }

    /// <summary>
    /// Streams every row of <paramref name="source"/> after <paramref name="afterKey"/> (issue 13, items 6
    /// and 13). Admitted under the per-key and per-agency limits; then each chunk is read on a pooled
    /// connection of its own, its rows reserved first, and the connection is back in the pool before the
    /// chunk is written, so a client that reads slowly holds none. The pull is on the record
    /// (<c>pull-started</c>) before its first byte and completed after the last with the rows handed to
    /// the socket, or as <c>pull-interrupted</c> with the rows handed over so far when the client goes away
    /// or the stream fails; rows reserved beyond those are given back then. Consistent across chunks:
    /// the version is pinned and the rows of a published version never change.
    /// </summary>
    internal async Task StreamAsync(Caller caller, PullContext context, StreamSource source, RecordSink sink, RecordFormat format, string? afterKey, CancellationToken cancellationToken)
    {
        using var lease = await OpenStreamAsync(caller, context, cancellationToken);
        var budget = quota.BudgetOf(context);
        var position = new StreamPosition(afterKey);
        var formatName = format.ToString().ToLowerInvariant();
        long? started = null;
        var complete = false;
        try
        {
            // The first chunk is read (and reserved: 429 when the quota is used up) before the pull is on the record, since nothing has left yet.
            await ReadChunkAsync(caller, context, budget, source, sink, position, cancellationToken);
            started = await audit.AppendAsync(new AuditRecord(caller, AuditAction.PullStarted, AuditOutcome.Allowed, $"{context.DatasetId}@{context.Version}", context.DatasetId,
                PullService.PullDetails(context, formatName, (JsonObject)source.Details.DeepClone())), cancellationToken);
            await sink.FlushAsync(cancellationToken);
            while (!position.Done)
            {
                await ReadChunkAsync(caller, context, budget, source, sink, position, cancellationToken);
                await sink.FlushAsync(cancellationToken);
            }
            complete = true;
        }
        finally
        {
            if (started is null) await quota.ReleaseAsync(budget);
            else
            {
                var details = (JsonObject)source.Details.DeepClone();
                details["started"] = started;
                if (!complete) details["reason"] = cancellationToken.IsCancellationRequested ? "client-gone" : "failed";
                await pull.RecordPullAsync(caller, context, complete ? source.Completed : AuditAction.PullInterrupted, sink.Handed, formatName, details, budget, sink.HandedBytes);
            }
        }
    }

    /// <summary>Admits a stream under the per-key and per-agency limits, or audits the refusal and answers 429 <c>too-many-streams</c>.</summary>
    async Task<RateLimitLease> OpenStreamAsync(Caller caller, PullContext context, CancellationToken cancellationToken)
    {
        var lease = streams.TryOpen(caller);
        if (lease.IsAcquired) return lease;
        lease.Dispose();
        var o = options.Value;
        await audit.AppendAsync(new AuditRecord(caller, AuditAction.AccessDenied, AuditOutcome.Denied, context.DatasetId, context.DatasetId, new JsonObject
        {
            ["reason"] = "too-many-streams", ["subscription"] = context.Decision.SubscriptionId, ["perKey"] = o.MaxStreamsPerKey, ["perAgency"] = o.MaxStreamsPerAgency,
        }), cancellationToken);
        throw new LimitExceededException("too-many-streams",
            $"At most {o.MaxStreamsPerKey} streams per API key and {o.MaxStreamsPerAgency} per agency may be open at once; retry when one has ended, or page with JSON.", StreamRetryAfter);
    }

    /// <summary>
    /// Reads the next chunk into <paramref name="sink"/>: waits for the streams' share of the pool, opens a
    /// connection, reserves the rows, reads at most <see cref="PullOptions.StreamChunkRows"/> (fewer when
    /// the rows seen so far would pass <see cref="PullOptions.StreamChunkBytes"/>, and it stops at that
    /// size anyway), and returns the connection before anything is written.
    /// </summary>
    async Task ReadChunkAsync(Caller caller, PullContext context, RowBudget? budget, StreamSource source, RecordSink sink, StreamPosition position, CancellationToken cancellationToken)
    {
        var o = options.Value;
        var want = position.Rows == 0 ? o.StreamChunkRows : Math.Clamp(o.StreamChunkBytes * position.Rows / Math.Max(1, position.Bytes), 1, o.StreamChunkRows);
        using var slot = await streams.ReadSlotAsync(cancellationToken);
        await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
        // Reserved earlier but not read yet: a chunk cut short by its size.
        var unread = budget is null ? 0 : budget.Reserved - position.Rows;
        var limit = unread + await quota.ReserveAsync(conn, caller, context, budget, Math.Max(0, want - unread), cancellationToken);
        if (limit == 0)
        {
            position.Done = true; // the quota is used up: the stream ends where it does
            return;
        }
        var before = sink.Pending;
        long rows = 0;
        var full = false;
        await using (var cmd = source.Command(conn, position.AfterKey, limit))
        await using (var r = await cmd.ExecuteReaderAsync(cancellationToken))
            while (await r.ReadAsync(cancellationToken))
            {
                source.Write(r, sink);
                position.AfterKey = r.GetString(0);
                rows++;
                // Disposing the reader then skips the rest of the chunk's rows (read off the wire, not kept).
                if (sink.Pending >= o.StreamChunkBytes) { full = true; break; }
            }
        position.Rows += rows;
        position.Bytes += sink.Pending - before;
        position.Done = rows < limit && !full;
    }
}

/// <summary>
/// What a stream reads: the entry that completes it and the details it adds to every entry, its
/// keyset query (after a key, at most a number of rows, the key in column 0) and how a row is written.
/// </summary>
sealed record StreamSource(AuditAction Completed, JsonObject Details, Func<NpgsqlConnection, string?, long, NpgsqlCommand> Command, Action<NpgsqlDataReader, RecordSink> Write);
