using DataExchange.Core.Subscriptions;
using NpgsqlTypes;

namespace DataExchange.Core.Lookup;

public sealed partial class LookupService
{
    /// <summary>
    /// The version and rows of <paramref name="keys"/>: a single key read together with concurrent single-key lookups
    /// of the same dataset, version asked and policy (<see cref="ReadCoalescer{TShape}"/>), a batch on its own.
    /// </summary>
    async Task<(int? Version, Dictionary<string, string> Rows)> ReadKeysAsync(string datasetId, int? version, AccessPolicy policy, IReadOnlyList<LookupKey> keys,
        CancellationToken cancellationToken)
    {
        if (keys.Count != 1) return await ReadAsync(datasetId, version, policy, [.. keys.Select(k => k.Stored)], cancellationToken);
        var key = keys[0].Stored;
        var (read, row) = await _reads.ReadAsync(new ReadShape(datasetId, version, policy), key, _readShape);
        var rows = new Dictionary<string, string>(1, StringComparer.Ordinal);
        if (row is not null) rows[key] = row;
        return (read, rows);
    }

    static string Sql(string pinned) => $"""
        with v as (select max(version) as version from dx.dataset_versions where dataset_id = $1{pinned})
        select v.version, r.key, r.data::text from v left join dx.records r
            on r.dataset_id = $1 and r.key = any($2) and r.valid_from <= v.version and (r.valid_to is null or r.valid_to > v.version)
        """;

    static readonly string LatestSql = Sql(""), PinnedSql = Sql(" and version = $3");

    /// <summary>Single-key lookups read together: same dataset, same version asked, same policy object (so the same row filters).</summary>
    readonly record struct ReadShape(string DatasetId, int? Version, AccessPolicy Policy);

    sealed class ShapeComparer : IEqualityComparer<ReadShape>
    {
        public bool Equals(ReadShape x, ReadShape y) => x.DatasetId == y.DatasetId && x.Version == y.Version && ReferenceEquals(x.Policy, y.Policy);

        public int GetHashCode(ReadShape s) => HashCode.Combine(s.DatasetId, s.Version, System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(s.Policy));
    }

    /// <summary>
    /// The version read (the latest, or <paramref name="version"/> when it exists; null when there is none)
    /// and the stored text of every key found in it under the policy's row filters — in one statement, so
    /// the version and the rows come from one snapshot even while a new version publishes. The version is the
    /// newest entry of the versions' key (or that key exactly), and the rows one probe per key of the records'
    /// (dataset, key, valid_from) key: one generic plan serves every lookup (<see cref="LookupDataSource"/>).
    /// </summary>
    async Task<(int? Version, Dictionary<string, string> Rows)> ReadAsync(string datasetId, int? version, AccessPolicy policy, IReadOnlyList<string> keys,
        CancellationToken cancellationToken)
    {
        var args = new List<(object Value, NpgsqlDbType Type)>
        {
            (datasetId, NpgsqlDbType.Text), (keys.Distinct(StringComparer.Ordinal).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text),
        };
        // Two statements rather than "($3 is null or version = $3)", which a generic plan answers by reading every version of the dataset.
        var pinned = "";
        if (version is { } v)
        {
            args.Add((v, NpgsqlDbType.Integer));
            pinned = " and version = $3";
        }
        // Without row filters the text is one of two constants (not rebuilt per read, and found at once among the prepared).
        var sql = policy.Filters.Count == 0 ? (version is null ? LatestSql : PinnedSql) : Sql(pinned) + RowFilter.Compile(policy.Filters, "r", args);
        // The lookup pool: no reset per lookup, statements prepared once per connection.
        await using var conn = await reads.Source.OpenConnectionAsync(cancellationToken);
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (value, type) in args) cmd.Parameters.Add(new Npgsql.NpgsqlParameter { Value = value, NpgsqlDbType = type });
        // Prepared once per pooled connection and SQL text (latest or pinned, and one per policy's filters), then reused.
        await cmd.PrepareAsync(cancellationToken);
        int? read = null;
        var rows = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            if (r.IsDBNull(0)) return (null, rows);
            read = r.GetInt32(0);
            if (!r.IsDBNull(1)) rows[r.GetString(1)] = r.GetString(2);
        }
        return (read, rows);
    }
}
