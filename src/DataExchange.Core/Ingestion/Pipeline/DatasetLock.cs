using DataExchange.Core.Common;
using Npgsql;

namespace DataExchange.Core.Ingestion;

/// <summary>
/// The per-dataset advisory lock that lets one run (or one release of a held run) work on a dataset at a
/// time: a session lock for a run, released by PostgreSQL if its process dies; a transaction lock for a release.
/// </summary>
internal static class DatasetLock
{
    static long Key(string datasetId) => BitConverter.ToInt64(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes("ingest:" + datasetId)));

    /// <summary>Takes the session lock of <paramref name="datasetId"/> if it is free.</summary>
    public static async Task<bool> TryLockAsync(NpgsqlConnection conn, string datasetId, CancellationToken cancellationToken)
    {
        await using var cmd = Db.Command(conn, "select pg_try_advisory_lock($1)", Key(datasetId));
        return (bool)(await cmd.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>Takes the lock of <paramref name="datasetId"/> until the end of the transaction, if it is free.</summary>
    public static async Task<bool> TryLockTransactionAsync(NpgsqlConnection conn, string datasetId, CancellationToken cancellationToken)
    {
        await using var cmd = Db.Command(conn, "select pg_try_advisory_xact_lock($1)", Key(datasetId));
        return await cmd.ExecuteScalarAsync(cancellationToken) is true;
    }

    /// <summary>Gives back what the run took on its connection: the dataset lock and the planner setting.</summary>
    public static async Task ReleaseAsync(NpgsqlConnection conn, string datasetId)
    {
        if (conn.State != System.Data.ConnectionState.Open) return;
        await using var cmd = Db.Command(conn, "select pg_advisory_unlock($1)", Key(datasetId));
        await cmd.ExecuteScalarAsync();
        // The connection goes back to the pool: undo the run's session settings (see RunStager).
        await using var reset = Db.Command(conn, "reset enable_nestloop; reset work_mem");
        await reset.ExecuteNonQueryAsync();
    }
}
