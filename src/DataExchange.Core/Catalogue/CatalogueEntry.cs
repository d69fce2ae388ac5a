using DataExchange.Core.Common;
using DataExchange.Core.Datasets;
using Npgsql;

namespace DataExchange.Core.Catalogue;

/// <summary>Quality of the latest finished run: rows read and rejected, and the rejected share (0–1).</summary>
public sealed record RunQuality(long RunId, string Status, DateTimeOffset? FinishedAt, long Read, long Rejected, double RejectedShare);

/// <summary>A dataset's catalogue entry: schema versions, latest version, freshness and quality, for every authenticated agency.</summary>
public sealed record CatalogueEntry(Dataset Dataset, IReadOnlyList<SchemaVersionInfo> SchemaVersions, int? LatestVersion, DateTimeOffset? PublishedAt,
    double? AgeSeconds, long? Rows, RunQuality? LastRun);

/// <summary>Builds catalogue entries.</summary>
public sealed class CatalogueEntries(NpgsqlDataSource dataSource, DatasetRegistry registry, TimeProvider time)
{
    const string LastRunSql = """
        select id, status, finished_at, read_count, rejected_count from dx.ingestion_runs
        where dataset_id = $1 and status in ('succeeded', 'unchanged', 'failed') order by id desc limit 1
        """;

    /// <summary>The entry of <paramref name="datasetId"/>, or 404.</summary>
    public async Task<CatalogueEntry> GetAsync(string datasetId, CancellationToken cancellationToken = default)
    {
        var dataset = await registry.GetAsync(datasetId, cancellationToken);
        var schemas = await registry.ListSchemaVersionsAsync(datasetId, cancellationToken);
        int? version = null;
        DateTimeOffset? published = null;
        long? rows = null;
        await using (var cmd = Db.Command(dataSource, "select version, published_at, row_count from dx.dataset_versions where dataset_id = $1 order by version desc limit 1", datasetId))
        await using (var r = await cmd.ExecuteReaderAsync(cancellationToken))
            if (await r.ReadAsync(cancellationToken)) (version, published, rows) = (r.GetInt32(0), r.GetFieldValue<DateTimeOffset>(1), r.GetInt64(2));
        RunQuality? quality = null;
        await using (var cmd = Db.Command(dataSource, LastRunSql, datasetId))
        await using (var r = await cmd.ExecuteReaderAsync(cancellationToken))
            if (await r.ReadAsync(cancellationToken))
            {
                var (read, rejected) = (r.GetInt64(3), r.GetInt64(4));
                quality = new RunQuality(r.GetInt64(0), r.GetString(1), r.GetNullable<DateTimeOffset>(2), read, rejected, read == 0 ? 0 : Math.Round((double)rejected / read, 4));
            }
        var age = published is { } p ? Math.Round((time.GetUtcNow() - p).TotalSeconds, 0) : (double?)null;
        return new CatalogueEntry(dataset, schemas, version, published, age, rows, quality);
    }
}
