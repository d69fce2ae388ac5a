using System.Buffers;
using System.Text.Json;
using DataExchange.Core.Audit;
using DataExchange.Core.Common;
using DataExchange.Core.Subscriptions;
using Npgsql;
using NpgsqlTypes;

namespace DataExchange.Core.Pull;

/// <summary>One page of the change feed between two versions.</summary>
public sealed record ChangePage(string DatasetId, int Since, int Until, string PolicyHash, byte[] ItemsJson, int Count, string? Next);

/// <summary>
/// The change feed (issue 13): the net inserts, updates and deletes of each key between two published versions
/// under the caller's policy, as JSON pages resumable by cursor or as a stream through <see cref="RecordStreamer"/>.
/// </summary>
public sealed class ChangeFeed(ReadDataSource reads, PullService pull, PullQuota quota, RecordStreamer streamer)
{
    // The net change of each key between version $2 (since) and $3 (until): candidate keys are those
    // whose validity starts or ends in (since, until]; o is the row visible at since, n at until.
    // The policy's filters decide visibility on both sides, so a row leaving the filter reads as a
    // delete (of a key the consumer saw) and one entering it as an insert; a key visible on neither
    // side — filtered out, or inserted and deleted within the range — is dropped here, before the
    // limit ($5), so a page holds only visible changes and its cursor only a visible key (issue 13:
    // limit=1 paging walked 393 of 394 keys of a dataset whose filter showed 20). Keyset-paged by
    // key (the inner order by lets the plan walk keys in index order and stop at the limit); a null
    // limit streams them all. A tombstone carries its old record only to shape its key.
    const string ChangesSql = """
        select k.key, n.data::text, n.valid_from, o.valid_to, n.n_ok is not null, o.o_ok is not null,
               case when n.n_ok is null then o.data::text end
        from (select distinct key from dx.records c
              where c.dataset_id = $1 and ((c.valid_from > $2 and c.valid_from <= $3) or (c.valid_to > $2 and c.valid_to <= $3)) and c.key > $4
              order by key) k
        left join lateral (select r.data, r.valid_from, true as n_ok from dx.records r
              where r.dataset_id = $1 and r.key = k.key and r.valid_from <= $3 and (r.valid_to is null or r.valid_to > $3) {0}) n on true
        left join lateral (select r.data, r.valid_from, r.valid_to, true as o_ok from dx.records r
              where r.dataset_id = $1 and r.key = k.key and r.valid_from <= $2 and (r.valid_to is null or r.valid_to > $2) {1}) o on true
        where n.n_ok or o.o_ok
        order by k.key limit $5
        """;

    /// <summary>
    /// Inserts, updates and deletes (tombstones: key only) between <paramref name="since"/> and
    /// <paramref name="until"/> (default: latest), ordered by key; the cursor pins <c>until</c> and is
    /// bound to <c>since</c>. Rows are reserved against the quota before the page is read.
    /// </summary>
    public async Task<ChangePage> ReadChangesAsync(Caller caller, string datasetId, int since, int? until, string? after, int? limit, CancellationToken cancellationToken = default)
    {
        var take = Paging.Limit(limit);
        var (context, afterKey) = await pull.OpenChangesAsync(caller, datasetId, since, until, after, cancellationToken);
        var budget = quota.BudgetOf(context, page: true);
        using var buffer = new MemoryStream();
        var scratch = new ArrayBufferWriter<byte>(2048);
        var rows = 0;
        string? lastKey = null, next;
        var hasMore = false;
        try
        {
            await using var conn = await reads.Source.OpenConnectionAsync(cancellationToken);
            var pageSize = (int)await quota.ReserveAsync(conn, caller, context, budget, take, cancellationToken);
            await using (var cmd = ChangesCommand(conn, context, since, afterKey, pageSize + 1))
            await using (var r = await cmd.ExecuteReaderAsync(cancellationToken))
            await using (var writer = new Utf8JsonWriter(buffer, Json.WriterOptions))
            {
                writer.WriteStartArray();
                while (await r.ReadAsync(cancellationToken))
                {
                    if (rows == pageSize) { hasMore = true; break; }
                    lastKey = r.GetString(0);
                    if (context.Shaper.KeepsEveryField) WriteUnshapedChange(writer, r, context, scratch);
                    else ReadChange(r, context.Version).WriteJson(writer, context.Shaper);
                    rows++;
                }
                writer.WriteEndArray();
            }
            next = hasMore ? await pull.NextCursorAsync(caller, context, CursorScope.Changes, since, lastKey!, cancellationToken) : null;
        }
        catch
        {
            await quota.ReleaseAsync(budget);
            throw;
        }
        await pull.RecordPullAsync(caller, context, AuditAction.ChangesPulled, rows, "json", new() { ["since"] = since }, budget, buffer.Length);
        return new ChangePage(datasetId, since, context.Version, context.Policy.Hash, buffer.ToArray(), rows, next);
    }

    /// <summary>
    /// Streams every change after the cursor as NDJSON (one change object per line) or CSV (columns
    /// <c>_op,_key,_version</c> then the policy's fields; tombstones leave the fields empty) in the
    /// snapshot's keyset chunks. Chunks read at different times agree: <c>until</c> is pinned, and a
    /// later publish only closes rows at versions after it, which the query does not see.
    /// </summary>
    public async Task StreamChangesAsync(Caller caller, string datasetId, int since, int? until, string? after, RecordFormat format, Stream output, CancellationToken cancellationToken = default)
    {
        var (context, afterKey) = await pull.OpenChangesAsync(caller, datasetId, since, until, after, cancellationToken);
        await streamer.StreamAsync(caller, context, new StreamSource(AuditAction.ChangesPulled, new() { ["list"] = CursorScope.Changes, ["since"] = since },
                (conn, key, limit) => ChangesCommand(conn, context, since, key, limit),
                (r, sink) => sink.Write(ReadChange(r, context.Version))),
            RecordSink.CreateForChanges(format, output, context), format, afterKey, cancellationToken);
    }

    static NpgsqlCommand ChangesCommand(NpgsqlConnection conn, PullContext context, int since, string? afterKey, long? limit)
    {
        var args = new List<(object Value, NpgsqlDbType Type)>
        {
            (context.DatasetId, NpgsqlDbType.Text), (since, NpgsqlDbType.Integer), (context.Version, NpgsqlDbType.Integer),
            (afterKey ?? "", NpgsqlDbType.Text), (limit is { } l ? l : DBNull.Value, NpgsqlDbType.Bigint),
        };
        var sql = string.Format(System.Globalization.CultureInfo.InvariantCulture, ChangesSql,
            RowFilter.Compile(context.Policy.Filters, "r", args), RowFilter.Compile(context.Policy.Filters, "r", args));
        var cmd = new NpgsqlCommand(sql, conn);
        foreach (var (value, type) in args) cmd.Parameters.Add(new NpgsqlParameter { Value = value, NpgsqlDbType = type });
        return cmd;
    }

    // Every row of ChangesSql is visible on at least one side: absent before, an insert; absent after, a delete.
    static (string Op, int Version, bool IsNew) KindOf(NpgsqlDataReader r, int until)
    {
        bool isNew = r.GetBoolean(4), wasOld = r.GetBoolean(5);
        var op = !isNew ? Change.Delete : wasOld ? Change.Update : Change.Insert;
        return (op, isNew ? r.GetInt32(2) : r.IsDBNull(3) ? until : Math.Min(r.GetInt32(3), until), isNew);
    }

    static Change ReadChange(NpgsqlDataReader r, int until)
    {
        var (op, version, isNew) = KindOf(r, until);
        return new Change(op, r.GetString(0), version, isNew ? r.GetString(1) : null, isNew ? null : r.GetString(6));
    }

    /// <summary>
    /// <see cref="Change.WriteJson"/> for a policy that keeps every field: the key as stored, the record
    /// from PostgreSQL's bytes (<see cref="JsonbText"/>), nothing parsed.
    /// </summary>
    static void WriteUnshapedChange(Utf8JsonWriter writer, NpgsqlDataReader r, PullContext context, ArrayBufferWriter<byte> scratch)
    {
        var (op, version, isNew) = KindOf(r, context.Version);
        writer.WriteStartObject();
        writer.WriteString("op", op);
        if (context.Shaper.Key(r.GetString(0), null) is { } key) writer.WriteString("key", key);
        writer.WriteNumber("version", version);
        if (isNew)
        {
            writer.WritePropertyName("record");
            scratch.ResetWrittenCount();
            JsonbText.AppendCompact(r, 1, scratch);
            writer.WriteRawValue(scratch.WrittenSpan, skipInputValidation: true);
        }
        writer.WriteEndObject();
    }
}
