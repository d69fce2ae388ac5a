using System.Text.Json.Nodes;
using DataExchange.Core.Common;
using Npgsql;

namespace DataExchange.Core.Subscriptions.Notifications;

/// <summary>
/// The transactional outbox of publish notifications: one row per published version, written on the
/// publisher's connection inside its transaction, so a version is announced if and only if it commits.
/// <see cref="OutboxDispatcher"/> turns rows into webhook deliveries after commit.
/// </summary>
public static class Outbox
{
    const string InsertSql = "insert into dx.outbox (dataset_id, version, payload, created_at) values ($1, $2, $3, $4)";

    /// <summary>Records that <paramref name="datasetId"/> published <paramref name="version"/> with <paramref name="counts"/>.</summary>
    public static async Task WriteAsync(NpgsqlConnection connection, string datasetId, int version, JsonObject counts, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var payload = new JsonObject { ["datasetId"] = datasetId, ["version"] = version, ["publishedAt"] = at.UtcDateTime.ToString("O"), ["counts"] = counts.DeepClone() };
        await using var cmd = Db.Command(connection, InsertSql, datasetId, version, Db.Jsonb(payload.ToJsonString()), at);
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }
}
