using System.Text.Json;
using DataExchange.Core.Audit;
using DataExchange.Core.Common;

namespace DataExchange.Core.Pull;

public sealed partial class PullService
{
    /// <summary>A JSON page of the snapshot; the cursor pins the version of the first page.</summary>
    public async Task<RecordPage> ReadPageAsync(Caller caller, string datasetId, int? version, string? after, int? limit, CancellationToken cancellationToken = default)
    {
        var take = Paging.Limit(limit);
        var (context, afterKey) = await OpenRecordsAsync(caller, datasetId, version, after, cancellationToken);
        return await ReadPageAsync(caller, context, afterKey, take, cancellationToken);
    }

    /// <summary>A JSON page within an opened context, its rows reserved against the quota first.</summary>
    public async Task<RecordPage> ReadPageAsync(Caller caller, PullContext context, string? afterKey, int take, CancellationToken cancellationToken = default)
    {
        var budget = BudgetOf(context);
        var pageSize = (int)await ReserveAsync(caller, context, budget, take, cancellationToken);
        using var buffer = new MemoryStream();
        string? lastKey = null;
        var rows = 0;
        var hasMore = false;
        string? next;
        try
        {
            await using (var conn = await dataSource.OpenConnectionAsync(cancellationToken))
            await using (var cmd = SnapshotCommand(conn, context, afterKey, pageSize + 1))
            await using (var r = await cmd.ExecuteReaderAsync(cancellationToken))
            await using (var writer = new Utf8JsonWriter(buffer, Json.WriterOptions))
            {
                writer.WriteStartArray();
                while (await r.ReadAsync(cancellationToken))
                {
                    // One row beyond the page tells whether there is a next page without a second query.
                    if (rows == pageSize) { hasMore = true; break; }
                    lastKey = r.GetString(0);
                    using var doc = JsonDocument.Parse(r.GetString(1));
                    context.Shaper.WriteJson(writer, doc.RootElement);
                    rows++;
                }
                writer.WriteEndArray();
            }
            next = hasMore ? await NextCursorAsync(caller, context, CursorScope.Records, null, lastKey!, cancellationToken) : null;
        }
        catch
        {
            await ReleaseAsync(budget);
            throw;
        }
        await RecordPullAsync(caller, context, AuditAction.RecordsPulled, rows, "json", budget: budget);
        return new RecordPage(context.DatasetId, context.Version, context.Policy.Hash, buffer.ToArray(), rows, next);
    }

    /// <summary>
    /// Streams the whole snapshot (from <paramref name="afterKey"/>) as NDJSON or CSV straight from the
    /// reader to <paramref name="output"/>: memory stays constant whatever the size. Under a quota the
    /// rows are reserved <see cref="StreamChunk"/> at a time and the stream stops where the quota does.
    /// Audited with the rows actually written, also when the client goes away mid-stream.
    /// </summary>
    public async Task StreamAsync(Caller caller, PullContext context, RecordFormat format, string? afterKey, Stream output, CancellationToken cancellationToken = default)
    {
        var budget = BudgetOf(context);
        var allowed = await ReserveAsync(caller, context, budget, StreamChunk, cancellationToken);
        long rows = 0;
        try
        {
            await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
            await using var cmd = SnapshotCommand(conn, context, afterKey, context.RowsLeft);
            await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
            var sink = RecordSink.Create(format, output, context);
            while (await r.ReadAsync(cancellationToken))
            {
                if (rows == allowed && (allowed += await ReserveAsync(caller, context, budget, StreamChunk, cancellationToken)) == rows) break;
                // Rows are small and buffered whole by Npgsql, so reading the column synchronously does no I/O.
                using var doc = JsonDocument.Parse(r.GetString(1));
                sink.Write(doc.RootElement);
                rows++;
                if (sink.Pending > 32 * 1024) await sink.FlushAsync(cancellationToken);
            }
            await sink.FlushAsync(cancellationToken);
        }
        finally
        {
            await RecordPullAsync(caller, context, AuditAction.RecordsPulled, rows, format.ToString().ToLowerInvariant(), budget: budget);
        }
    }
}
