using Npgsql;

namespace DataExchange.Core.Datasets;

/// <summary>A dataset's row with its newest schema and published version, as the registry and the catalogue read it.</summary>
internal static class DatasetSql
{
    internal const string Select = """
        select d.id, d.owner_agency_id, d.title, d.description, d.key_fields, d.classification, d.tags, d.compatibility,
               (select max(version) from dx.schema_versions s where s.dataset_id = d.id), d.created_at,
               v.version, v.published_at, v.row_count, d.metadata::text
        from dx.datasets d
        left join lateral (select version, published_at, row_count from dx.dataset_versions dv
                           where dv.dataset_id = d.id order by version desc limit 1) v on true
        """;

    internal static Dataset Read(NpgsqlDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetFieldValue<string[]>(4), r.GetString(5),
        r.GetFieldValue<string[]>(6), r.GetString(7), r.GetInt32(8), r.GetFieldValue<DateTimeOffset>(9),
        r.IsDBNull(10) ? null : r.GetInt32(10), r.IsDBNull(11) ? null : r.GetFieldValue<DateTimeOffset>(11), r.IsDBNull(12) ? null : r.GetInt64(12),
        Metadata: r.GetString(13) == "{}" ? null : System.Text.Json.JsonSerializer.Deserialize<DatasetMetadata>(r.GetString(13), Common.Json.Options));
}
