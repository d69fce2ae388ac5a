using Npgsql;

namespace DataExchange.IntegrationTests.Ingestion;

/// <summary>Direct reads of a test database for the fault tests: what was published, and what was left behind.</summary>
public static class FaultProbe
{
    /// <summary>Runs a scalar query with <paramref name="args"/> as $1, $2…</summary>
    public static async Task<long> ScalarAsync(string connectionString, string sql, params object[] args)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        foreach (var a in args) cmd.Parameters.Add(new NpgsqlParameter { Value = a });
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public static Task<long> VersionsAsync(string connectionString, string datasetId) =>
        ScalarAsync(connectionString, "select count(*) from dx.dataset_versions where dataset_id = $1", datasetId);

    /// <summary>Current rows (valid_to is null) of the dataset.</summary>
    public static Task<long> CurrentRowsAsync(string connectionString, string datasetId) =>
        ScalarAsync(connectionString, "select count(*) from dx.records where dataset_id = $1 and valid_to is null", datasetId);

    /// <summary>Rows whose version was never published, or that a missing version closed: what a half-done publish would leave.</summary>
    public static Task<long> OrphanRowsAsync(string connectionString, string datasetId) =>
        ScalarAsync(connectionString, """
            select count(*) from dx.records r where r.dataset_id = $1
              and (not exists (select 1 from dx.dataset_versions v where v.dataset_id = r.dataset_id and v.version = r.valid_from)
                   or (r.valid_to is not null and not exists (select 1 from dx.dataset_versions v where v.dataset_id = r.dataset_id and v.version = r.valid_to)))
            """, datasetId);

    /// <summary>How often a run started (one audit entry per attempt).</summary>
    public static Task<long> AttemptsAsync(string connectionString, string datasetId, string runId) =>
        ScalarAsync(connectionString, "select count(*) from dx.audit_log where target = $1 and action = 'run-started'", $"{datasetId}/runs/{runId}");
}
