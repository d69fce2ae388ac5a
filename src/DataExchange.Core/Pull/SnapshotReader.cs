using System.Buffers;
using System.Text.Json;
using DataExchange.Core.Audit;
using DataExchange.Core.Common;
using DataExchange.Core.Subscriptions;
using Npgsql;
using NpgsqlTypes;

namespace DataExchange.Core.Pull;

/// <summary>
/// Reads the snapshot at a version under the caller's policy: JSON pages on <see cref="ReadDataSource"/>, keyset-paged
/// by a cursor that pins the version, and whole streams (NDJSON, CSV) through <see cref="RecordStreamer"/>. Under a
/// daily quota a page's rows are reserved before it is read and what was not served is given back in the audit's
/// transaction; a page without a quota counts the rows it served in that transaction.
/// </summary>
public sealed class SnapshotReader(ReadDataSource reads, PullService pull, PullQuota quota, RecordStreamer streamer)
{
    /// <summary>A JSON page of the snapshot; the cursor pins the version of the first page.</summary>
    public async Task<RecordPage> ReadPageAsync(Caller caller, string datasetId, int? version, string? after, int? limit, CancellationToken cancellationToken = default)
    {
        var take = Paging.Limit(limit);
        var (context, afterKey) = await pull.OpenRecordsAsync(caller, datasetId, version, after, cancellationToken);
        return await ReadPageAsync(caller, context, afterKey, take, cancellationToken);
    }

    /// <summary>A JSON page within an opened context, its rows reserved against the quota first.</summary>
    public async Task<RecordPage> ReadPageAsync(Caller caller, PullContext context, string? afterKey, int take, CancellationToken cancellationToken = default)
    {
        var budget = quota.BudgetOf(context, page: true);
        // The items array is written as bytes: records from PostgreSQL's text (shaped or not) joined by commas,
        // what a Utf8JsonWriter writing them raw would write, without its copy of every record.
        using var items = new PooledBufferWriter(take * 128 + 2);
        var scratch = new ArrayBufferWriter<byte>(2048);
        string? lastKey = null;
        var rows = 0;
        var hasMore = false;
        string? next;
        try
        {
            await using var conn = await reads.Source.OpenConnectionAsync(cancellationToken);
            var pageSize = (int)await quota.ReserveAsync(conn, caller, context, budget, take, cancellationToken);
            await using (var cmd = SnapshotCommand(conn, context, afterKey, pageSize + 1))
            await using (var r = await cmd.ExecuteReaderAsync(cancellationToken))
            {
                items.Write("["u8);
                while (await r.ReadAsync(cancellationToken))
                {
                    // One row beyond the page tells whether there is a next page without a second query.
                    if (rows == pageSize) { hasMore = true; break; }
                    if (rows > 0) items.Write(","u8);
                    // Only the page's last key is needed (for the next cursor).
                    if (rows == pageSize - 1) lastKey = r.GetString(0);
                    WriteRecord(items, r, 1, context.Shaper, scratch);
                    rows++;
                }
                items.Write("]"u8);
            }
            next = hasMore ? await pull.NextCursorAsync(caller, context, CursorScope.Records, null, lastKey!, cancellationToken) : null;
        }
        catch
        {
            await quota.ReleaseAsync(budget);
            throw;
        }
        await pull.RecordPullAsync(caller, context, AuditAction.RecordsPulled, rows, "json", budget: budget, bytes: items.WrittenCount);
        return new RecordPage(context.DatasetId, context.Version, context.Policy.Hash, items.ToArray(), rows, next);
    }

    /// <summary>
    /// Writes the record in column <paramref name="ordinal"/> (its <c>jsonb::text</c>) as <paramref name="shaper"/>
    /// shows it, from PostgreSQL's bytes without a document or string in between: as stored (compacted) when the
    /// policy keeps every field, else shaped member by member. <paramref name="scratch"/> holds one record.
    /// </summary>
    static void WriteRecord(IBufferWriter<byte> output, Npgsql.NpgsqlDataReader r, int ordinal, PolicyShaper shaper, ArrayBufferWriter<byte> scratch)
    {
        if (shaper.KeepsEveryField)
        {
            JsonbText.AppendCompact(r, ordinal, output);
            return;
        }
        scratch.ResetWrittenCount();
        JsonbText.AppendRaw(r, ordinal, scratch);
        shaper.WriteJson(scratch.WrittenSpan, output);
    }

    /// <summary>
    /// Streams the whole snapshot (from <paramref name="afterKey"/>) as NDJSON or CSV to
    /// <paramref name="output"/> in keyset chunks: memory stays bounded by a chunk whatever the size.
    /// </summary>
    public Task StreamAsync(Caller caller, PullContext context, RecordFormat format, string? afterKey, Stream output, CancellationToken cancellationToken = default) =>
        streamer.StreamAsync(caller, context, new StreamSource(AuditAction.RecordsPulled, new() { ["list"] = CursorScope.Records },
                (conn, after, limit) => SnapshotCommand(conn, context, after, limit),
                (r, sink) =>
                {
                    // Rows are small and buffered whole by Npgsql, so reading the column synchronously does no I/O.
                    using var doc = JsonDocument.Parse(r.GetString(1));
                    sink.Write(doc.RootElement);
                }),
            RecordSink.Create(format, output, context), format, afterKey, cancellationToken);

    /// <summary>The snapshot query at a version, the policy's filters appended as parameters.</summary>
    static NpgsqlCommand SnapshotCommand(NpgsqlConnection conn, PullContext context, string? afterKey, long? limit)
    {
        var args = new List<(object Value, NpgsqlDbType Type)>
        {
            (context.DatasetId, NpgsqlDbType.Text), (context.Version, NpgsqlDbType.Integer), (afterKey ?? "", NpgsqlDbType.Text),
            (limit is { } l ? l : DBNull.Value, NpgsqlDbType.Bigint),
        };
        // Keyset paging at a fixed version: pages stay consistent while newer versions publish.
        // The (dataset_id, key, valid_from) primary key serves the scan in key order.
        var sql = """
            select r.key, r.data::text from dx.records r
            where r.dataset_id = $1 and r.valid_from <= $2 and (r.valid_to is null or r.valid_to > $2) and r.key > $3
            """ + RowFilter.Compile(context.Policy.Filters, "r", args) + " order by r.key limit $4";
        var cmd = new NpgsqlCommand(sql, conn);
        foreach (var (value, type) in args) cmd.Parameters.Add(new NpgsqlParameter { Value = value, NpgsqlDbType = type });
        return cmd;
    }
}
