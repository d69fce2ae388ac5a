using System.Security.Cryptography;
using System.Text.Json.Nodes;
using DataExchange.Core.Audit;
using DataExchange.Core.Common;
using Microsoft.Extensions.Options;
using Npgsql;

namespace DataExchange.Core.Agencies;

/// <summary>
/// Issues, lists, revokes and authenticates API keys. Authentication reads a key's stored hash, roles,
/// expiry and revocation from a <see cref="TtlCache{TKey,TValue}"/> (issue 16: no database round trip
/// per request): a key revoked on this node is refused at once, on another node within
/// <see cref="AccessCacheOptions.Ttl"/>; expiry is compared with the clock on every request.
/// </summary>
public sealed class ApiKeyService(NpgsqlDataSource dataSource, AuditWriter audit, AgencyService agencies, SignInRefusals refusals, TimeProvider time,
    IOptions<AccessCacheOptions> cacheOptions)
{
    /// <summary>A key as stored: who it stands for, the SHA-256 of its secret, its expiry and whether it was revoked.</summary>
    sealed record StoredKey(Caller Caller, byte[] SecretHash, DateTimeOffset? ExpiresAt, bool Revoked);

    readonly TtlCache<string, StoredKey> _keys = new(time, cacheOptions.Value);

    /// <summary>Issues a key for <paramref name="agencyId"/>; shown once.</summary>
    public async Task<IssuedApiKey> IssueAsync(Caller caller, string agencyId, IssueKeyRequest request, CancellationToken cancellationToken = default)
    {
        RequireAdminOf(caller, agencyId);
        await agencies.EnsureExistsAsync(agencyId, cancellationToken);
        Validate(request);
        await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken);
        var issued = await InsertAsync(conn, agencyId, request, cancellationToken);
        await audit.AppendAsync(conn, new AuditRecord(caller, AuditAction.ApiKeyIssued, AuditOutcome.Succeeded, issued.Id,
            Details: new JsonObject { ["agency"] = agencyId, ["roles"] = new JsonArray([.. issued.Roles.Select(r => JsonValue.Create(r))]) }), cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return issued;
    }

    /// <summary>
    /// Creates the operator agency and a first admin key when no admin key exists yet; returns null
    /// when one already does (bootstrap runs once).
    /// </summary>
    public async Task<IssuedApiKey?> BootstrapAdminAsync(string name = "bootstrap admin", CancellationToken cancellationToken = default)
    {
        await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await conn.BeginTransactionAsync(System.Data.IsolationLevel.Serializable, cancellationToken);
        await using (var check = Db.Command(conn, "select 1 from dx.api_clients where 'admin' = any(roles) and revoked_at is null limit 1"))
        {
            if (await check.ExecuteScalarAsync(cancellationToken) is not null) return null;
        }
        await using (var ins = Db.Command(conn, "insert into dx.agencies (id, name, created_at) values ($1, $2, $3) on conflict do nothing",
            Caller.OperatorAgency, "Exchange operator", time.GetUtcNow()))
            await ins.ExecuteNonQueryAsync(cancellationToken);
        var issued = await InsertAsync(conn, Caller.OperatorAgency, new IssueKeyRequest(name, [Role.Admin, Role.Auditor]), cancellationToken);
        await audit.AppendAsync(conn, new AuditRecord(null, AuditAction.AdminBootstrapped, AuditOutcome.Succeeded, issued.Id), cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return issued;
    }

    /// <summary>Keys of an agency, without secrets.</summary>
    public async Task<IReadOnlyList<ApiKeyInfo>> ListAsync(Caller caller, string agencyId, CancellationToken cancellationToken = default)
    {
        RequireAdminOf(caller, agencyId);
        const string sql = "select id, agency_id, name, roles, created_at, expires_at, revoked_at from dx.api_clients where agency_id = $1 order by created_at, id";
        await using var cmd = Db.Command(dataSource, sql, agencyId);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        var keys = new List<ApiKeyInfo>();
        while (await reader.ReadAsync(cancellationToken))
            keys.Add(new ApiKeyInfo(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetFieldValue<string[]>(3),
                reader.GetFieldValue<DateTimeOffset>(4), reader.GetNullable<DateTimeOffset>(5), reader.GetNullable<DateTimeOffset>(6)));
        return keys;
    }

    /// <summary>Revokes a key; effective on its next request.</summary>
    public async Task RevokeAsync(Caller caller, string agencyId, string keyId, CancellationToken cancellationToken = default)
    {
        RequireAdminOf(caller, agencyId);
        const string sql = "update dx.api_clients set revoked_at = coalesce(revoked_at, $3) where id = $1 and agency_id = $2";
        await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken);
        await using (var cmd = Db.Command(conn, sql, keyId, agencyId, time.GetUtcNow()))
        {
            if (await cmd.ExecuteNonQueryAsync(cancellationToken) == 0)
                throw new NotFoundException($"Key '{keyId}' does not exist in agency '{agencyId}'.");
        }
        await audit.AppendAsync(conn, new AuditRecord(caller, AuditAction.ApiKeyRevoked, AuditOutcome.Succeeded, keyId,
            Details: new JsonObject { ["agency"] = agencyId }), cancellationToken);
        await tx.CommitAsync(cancellationToken);
        _keys.Invalidate(keyId);
    }

    /// <summary>The caller a presented key stands for, or null when the key is unknown, wrong, expired or revoked.</summary>
    public async Task<Caller?> AuthenticateAsync(string presented, CancellationToken cancellationToken = default)
    {
        if (!ApiKeyFormat.TryParse(presented, out var id, out var secret)) return null;
        var stored = await _keys.GetAsync(id, dataSource, LoadKeyAsync, cancellationToken);
        if (stored is null || !CryptographicOperations.FixedTimeEquals(stored.SecretHash, ApiKeyFormat.Hash(secret))) return null;
        if (stored.Revoked || (stored.ExpiresAt is { } e && e <= time.GetUtcNow())) return null;
        return stored.Caller;
    }

    static async Task<StoredKey?> LoadKeyAsync(string id, NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        const string sql = "select agency_id, roles, secret_sha256, expires_at, revoked_at from dx.api_clients where id = $1";
        await using var cmd = Db.Command(dataSource, sql, id);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken)) return null;
        var caller = new Caller(id, reader.GetString(0), new HashSet<string>(reader.GetFieldValue<string[]>(1), StringComparer.Ordinal));
        return new StoredKey(caller, reader.GetFieldValue<byte[]>(2), reader.GetNullable<DateTimeOffset>(3), !reader.IsDBNull(4));
    }

    /// <summary>
    /// Signs a person in to the web console with an API key: the same check as <see cref="AuthenticateAsync"/>.
    /// A sign-in is audited; a refusal is counted for its <paramref name="source"/> address by
    /// <see cref="SignInRefusals"/> (audited at the first of a window, summarised at its end), never with the secret.
    /// </summary>
    public async Task<Caller?> ConsoleSignInAsync(string presented, string source, CancellationToken cancellationToken = default)
    {
        var caller = await AuthenticateAsync(presented.Trim(), cancellationToken);
        if (caller is null)
            await refusals.RecordAsync(source, presented, rateLimited: false, cancellationToken);
        else
            await audit.AppendAsync(new AuditRecord(caller, AuditAction.ConsoleSignIn, AuditOutcome.Succeeded, caller.ClientId,
                Details: new JsonObject { ["remoteAddress"] = source }), cancellationToken);
        return caller;
    }

    /// <summary>
    /// The caller a key id stands for while the key is neither revoked nor expired, else null. The web
    /// console keeps only the key id in its session cookie and re-checks it on every request, so a
    /// revoked key loses its console session at once.
    /// </summary>
    public async Task<Caller?> FindActiveAsync(string keyId, CancellationToken cancellationToken = default)
    {
        const string sql = "select agency_id, roles from dx.api_clients where id = $1 and revoked_at is null and (expires_at is null or expires_at > $2)";
        await using var cmd = Db.Command(dataSource, sql, keyId, time.GetUtcNow());
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken)) return null;
        return new Caller(keyId, reader.GetString(0), new HashSet<string>(reader.GetFieldValue<string[]>(1), StringComparer.Ordinal));
    }

    async Task<IssuedApiKey> InsertAsync(NpgsqlConnection conn, string agencyId, IssueKeyRequest request, CancellationToken cancellationToken)
    {
        const string sql = "insert into dx.api_clients (id, agency_id, name, roles, secret_sha256, created_at, expires_at) values ($1, $2, $3, $4, $5, $6, $7)";
        var (id, secret) = ApiKeyFormat.NewKey();
        var roles = request.Roles.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var now = time.GetUtcNow();
        await using var cmd = Db.Command(conn, sql, id, agencyId, request.Name.Trim(), roles, ApiKeyFormat.Hash(secret), now, Db.Typed(request.ExpiresAt));
        await cmd.ExecuteNonQueryAsync(cancellationToken);
        return new IssuedApiKey(id, agencyId, request.Name.Trim(), roles, now, request.ExpiresAt, ApiKeyFormat.Format(id, secret));
    }

    static void RequireAdminOf(Caller caller, string agencyId)
    {
        caller.Require(Role.Admin);
        if (!caller.IsOperator && caller.AgencyId != agencyId)
            throw new ForbiddenException("foreign-agency", "Admins manage the keys of their own agency only.");
    }

    void Validate(IssueKeyRequest request)
    {
        var errors = new List<ProblemItem>();
        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Length > 200)
            errors.Add(new("/name", "required", "Name the key after the system or person using it (at most 200 characters)."));
        if (request.Roles is null || request.Roles.Count == 0)
            errors.Add(new("/roles", "required", "Give at least one role: admin, steward, consumer or auditor."));
        else
            for (var i = 0; i < request.Roles.Count; i++)
                if (!Role.All.Contains(request.Roles[i]))
                    errors.Add(new($"/roles/{i}", "enum", $"'{request.Roles[i]}' is not a role; use admin, steward, consumer or auditor."));
        if (request.ExpiresAt is { } e && e <= time.GetUtcNow())
            errors.Add(new("/expiresAt", "past", "The expiry must be in the future."));
        if (errors.Count > 0) throw new InvalidException("invalid-request", "The key request is not valid.", errors);
    }
}
