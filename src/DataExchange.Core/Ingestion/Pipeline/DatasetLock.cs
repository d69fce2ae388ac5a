using DataExchange.Core.Common;
using Npgsql;

namespace DataExchange.Core.Ingestion;

/// <summary>
/// The per-dataset advisory lock that lets one run (or one release of a held run) work on a dataset at a
/// time: a session lock for a run, released by PostgreSQL if its process dies; a transaction lock for a release.
/// </summary>
internal static class DatasetLock
{
    static long Key(string datasetId) => KeyOf("ingest:" + datasetId);

    // Held by a first load's publish transaction (FirstLoad), on a connection other than its run's session: a
    // worker killed while that transaction waits in a statement leaves it running after the run's session (and
    // its lock) ended, and the next attempt must not start over beside it.
    static long PublishKey(string datasetId) => KeyOf("publish:" + datasetId);

    static long KeyOf(string text) => BitConverter.ToInt64(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));

    /// <summary>Takes the session lock of <paramref name="datasetId"/> if it is free and no first load's publish transaction holds the dataset.</summary>
    public static async Task<bool> TryLockAsync(NpgsqlConnection conn, string datasetId, CancellationToken cancellationToken)
    {
        await using (var cmd = Db.Command(conn, "select pg_try_advisory_lock($1)", Key(datasetId)))
            if (!(bool)(await cmd.ExecuteScalarAsync(cancellationToken))!) return false;
        await using (var cmd = Db.Command(conn, "select case when pg_try_advisory_lock($1) then pg_advisory_unlock($1) else false end", PublishKey(datasetId)))
            if ((bool)(await cmd.ExecuteScalarAsync(cancellationToken))!) return true;
        await using (var cmd = Db.Command(conn, "select pg_advisory_unlock($1)", Key(datasetId))) await cmd.ExecuteScalarAsync(cancellationToken);
        return false;
    }

    /// <summary>Marks a first load's publish transaction (<see cref="FirstLoad"/>) as holding <paramref name="datasetId"/> until it ends.</summary>
    public static async Task LockPublishAsync(NpgsqlConnection conn, string datasetId, CancellationToken cancellationToken)
    {
        await using var cmd = Db.Command(conn, "select pg_advisory_xact_lock($1)", PublishKey(datasetId));
        await cmd.ExecuteNonQueryAsync(cancellationToken);
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
