using System.Text.Json;
using DataExchange.Core.Audit;
using DataExchange.Core.Common;
using DataExchange.Core.Subscriptions;
using Npgsql;
using NpgsqlTypes;

namespace DataExchange.Core.Pull;

/// <summary>One page of the change feed between two versions.</summary>
public sealed record ChangePage(string DatasetId, int Since, int Until, string PolicyHash, byte[] ItemsJson, int Count, string? Next);

public sealed partial class PullService
{
    // The net change of each key between version $2 (since) and $3 (until): candidate keys are those
    // whose validity starts or ends in (since, until]; o is the row visible at since, n at until.
    // The policy's filters decide visibility on both sides, so a row leaving the filter reads as a
    // delete and one entering it as an insert. Keyset-paged by key; a null limit ($5) streams them all.
    const string ChangesSql = """
        select k.key, n.data::text, n.valid_from, o.valid_to, coalesce(n_ok, false), coalesce(o_ok, false)
        from (select distinct key from dx.records c
              where c.dataset_id = $1 and ((c.valid_from > $2 and c.valid_from <= $3) or (c.valid_to > $2 and c.valid_to <= $3)) and c.key > $4
              order by key limit $5) k
        left join lateral (select r.data, r.valid_from, true as n_ok from dx.records r
              where r.dataset_id = $1 and r.key = k.key and r.valid_from <= $3 and (r.valid_to is null or r.valid_to > $3) {0}) n on true
        left join lateral (select r.valid_from, r.valid_to, true as o_ok from dx.records r
              where r.dataset_id = $1 and r.key = k.key and r.valid_from <= $2 and (r.valid_to is null or r.valid_to > $2) {1}) o on true
        order by k.key
        """;

    /// <summary>
    /// Inserts, updates and deletes (tombstones: key only) between <paramref name="since"/> and
    /// <paramref name="until"/> (default: latest), ordered by key; the cursor pins <c>until</c>.
    /// </summary>
    public async Task<ChangePage> ReadChangesAsync(Caller caller, string datasetId, int since, int? until, string? after, int? limit, CancellationToken cancellationToken = default)
    {
        var take = Paging.Limit(limit);
        var (context, afterKey) = await OpenChangesAsync(caller, datasetId, since, until, after, cancellationToken);
        var pageSize = context.RowsLeft is { } left ? (int)Math.Min(take, left) : take;

        using var buffer = new MemoryStream();
        var (keys, rows) = (0, 0);
        string? lastKey = null;
        var hasMore = false;
        await using (var conn = await dataSource.OpenConnectionAsync(cancellationToken))
        await using (var cmd = ChangesCommand(conn, context, since, afterKey, pageSize + 1))
        await using (var r = await cmd.ExecuteReaderAsync(cancellationToken))
        await using (var writer = new Utf8JsonWriter(buffer, Json.WriterOptions))
        {
            writer.WriteStartArray();
            while (await r.ReadAsync(cancellationToken))
            {
                if (keys == pageSize) { hasMore = true; break; }
                keys++;
                lastKey = r.GetString(0);
                if (ReadChange(r, context.Version) is not { } change) continue;
                change.WriteJson(writer, context.Shaper);
                rows++;
            }
            writer.WriteEndArray();
        }
        var next = hasMore ? Paging.Encode($"{context.Version}:{lastKey}") : null;
        await RecordPullAsync(caller, context, AuditAction.ChangesPulled, rows, "json", new() { ["since"] = since });
        return new ChangePage(datasetId, since, context.Version, context.Policy.Hash, buffer.ToArray(), rows, next);
    }

    /// <summary>
    /// Streams every change after the cursor as NDJSON (one change object per line) or CSV (columns
    /// <c>_op,_key,_version</c> then the policy's fields; tombstones leave the fields empty), through
    /// the snapshot's <see cref="RecordSink"/>: constant memory, audited with the rows written.
    /// </summary>
    public async Task StreamChangesAsync(Caller caller, string datasetId, int since, int? until, string? after, RecordFormat format, Stream output, CancellationToken cancellationToken = default)
    {
        var (context, afterKey) = await OpenChangesAsync(caller, datasetId, since, until, after, cancellationToken);
        long rows = 0;
        try
        {
            await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
            await using var cmd = ChangesCommand(conn, context, since, afterKey, context.RowsLeft);
            await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
            var sink = RecordSink.CreateForChanges(format, output, context);
            while (await r.ReadAsync(cancellationToken))
            {
                if (ReadChange(r, context.Version) is not { } change) continue;
                sink.Write(change);
                rows++;
                if (sink.Pending > 32 * 1024) await sink.FlushAsync(cancellationToken);
            }
            await sink.FlushAsync(cancellationToken);
        }
        finally
        {
            await RecordPullAsync(caller, context, AuditAction.ChangesPulled, rows, format.ToString().ToLowerInvariant(), new() { ["since"] = since });
        }
    }

    async Task<(PullContext Context, string? AfterKey)> OpenChangesAsync(Caller caller, string datasetId, int since, int? until, string? after, CancellationToken cancellationToken)
    {
        var (pinned, afterKey) = DecodeCursor(after);
        var context = await OpenAsync(caller, datasetId, pinned ?? until, cancellationToken);
        if (since < 0 || since > context.Version)
            throw new InvalidException("invalid-range", "since must be between 0 and until.", [new("/since", "range", $"Use 0–{context.Version}.")]);
        return (context, afterKey);
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

    // A key inserted and deleted again within the range (or never visible under the filters) nets to nothing.
    static Change? ReadChange(NpgsqlDataReader r, int until)
    {
        bool isNew = r.GetBoolean(4), wasOld = r.GetBoolean(5);
        if (!isNew && !wasOld) return null;
        var op = !isNew ? Change.Delete : wasOld ? Change.Update : Change.Insert;
        var version = isNew ? r.GetInt32(2) : r.IsDBNull(3) ? until : Math.Min(r.GetInt32(3), until);
        return new Change(op, r.GetString(0), version, isNew ? r.GetString(1) : null);
    }
}
