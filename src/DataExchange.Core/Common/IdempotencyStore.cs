using Npgsql;

namespace DataExchange.Core.Common;

/// <summary>
/// A stored answer to an idempotent request. <see cref="Body"/> is null when the answer carried a
/// secret: that is shown once and never kept, so only the fact of success and the location remain.
/// </summary>
public sealed record IdempotentResponse(int Status, string? Location, byte[]? Body);

/// <summary>What happened when a request claimed its idempotency key.</summary>
public enum IdempotencyClaim
{
    /// <summary>First use: run the request and store its answer.</summary>
    Claimed,
    /// <summary>The same request was answered before: replay that answer.</summary>
    Replay,
    /// <summary>The same request is still running.</summary>
    InProgress,
    /// <summary>The key was used for a different request.</summary>
    Mismatch,
}

/// <summary>
/// Stores Idempotency-Key claims and answers per API client, for 24 hours; an hourly job
/// (<see cref="PurgeExpiredAsync"/>) deletes older rows.
/// </summary>
public sealed class IdempotencyStore(NpgsqlDataSource dataSource, TimeProvider time)
{
    /// <summary>How long a key is remembered.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromHours(24);

    /// <summary>Claims <paramref name="key"/> for a request; returns the earlier answer when there is one.</summary>
    public async Task<(IdempotencyClaim Claim, IdempotentResponse? Earlier)> ClaimAsync(string clientId, string key, byte[] requestHash, CancellationToken cancellationToken)
    {
        const string purge = "delete from dx.idempotency_keys where client_id = $1 and key = $2 and created_at < $3";
        await using (var cmd = Db.Command(dataSource, purge, clientId, key, time.GetUtcNow() - Retention)) await cmd.ExecuteNonQueryAsync(cancellationToken);
        const string claim = "insert into dx.idempotency_keys (client_id, key, request_hash, created_at) values ($1, $2, $3, $4) on conflict do nothing";
        await using (var cmd = Db.Command(dataSource, claim, clientId, key, requestHash, time.GetUtcNow()))
            if (await cmd.ExecuteNonQueryAsync(cancellationToken) == 1) return (IdempotencyClaim.Claimed, null);
        const string read = "select request_hash, status, location, body from dx.idempotency_keys where client_id = $1 and key = $2";
        await using var query = Db.Command(dataSource, read, clientId, key);
        await using var r = await query.ExecuteReaderAsync(cancellationToken);
        if (!await r.ReadAsync(cancellationToken)) return (IdempotencyClaim.InProgress, null);
        if (!r.GetFieldValue<byte[]>(0).AsSpan().SequenceEqual(requestHash)) return (IdempotencyClaim.Mismatch, null);
        if (r.IsDBNull(1)) return (IdempotencyClaim.InProgress, null);
        return (IdempotencyClaim.Replay, new IdempotentResponse(r.GetInt32(1), r.Get<string>(2), r.Get<byte[]>(3)));
    }

    /// <summary>Stores the answer of a claimed key (success), or releases the claim (failure) so a retry can run again.</summary>
    public async Task CompleteAsync(string clientId, string key, IdempotentResponse? response, CancellationToken cancellationToken)
    {
        if (response is null)
        {
            await using var release = Db.Command(dataSource, "delete from dx.idempotency_keys where client_id = $1 and key = $2 and status is null", clientId, key);
            await release.ExecuteNonQueryAsync(cancellationToken);
            return;
        }
        const string sql = "update dx.idempotency_keys set status = $3, location = $4, body = $5 where client_id = $1 and key = $2";
        await using var cmd = Db.Command(dataSource, sql, clientId, key, response.Status, Db.Typed(response.Location), Db.Typed(response.Body));
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Deletes the rows older than <see cref="Retention"/> (the hourly Hangfire job <c>idempotency-purge</c>); returns how many.</summary>
    public async Task<int> PurgeExpiredAsync(CancellationToken cancellationToken)
    {
        await using var cmd = Db.Command(dataSource, "delete from dx.idempotency_keys where created_at < $1", time.GetUtcNow() - Retention);
        return await cmd.ExecuteNonQueryAsync(cancellationToken);
    }
}
