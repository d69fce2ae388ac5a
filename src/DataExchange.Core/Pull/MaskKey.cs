using System.Security.Cryptography;
using DataExchange.Core.Common;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace DataExchange.Core.Pull;

/// <summary>
/// The HMAC-SHA256 key of <c>hash</c> masks: <c>Pull:HashKey</c> (base64, at least 32 bytes) when
/// configured — use that in production, from a secret store — else a 256-bit key generated once and
/// kept in dx.server_secrets, which the API never returns. The same key for every dataset, so a
/// consumer can join hashed columns across datasets; rotating it changes every hashed value.
/// </summary>
public sealed class MaskKey(NpgsqlDataSource dataSource, IConfiguration configuration)
{
    readonly SemaphoreSlim _gate = new(1, 1);
    readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte[]> _derived = new(StringComparer.Ordinal);
    byte[]? _key;

    /// <summary>
    /// A 256-bit key for one purpose, derived by HKDF-SHA256 from the secret with <paramref name="info"/>
    /// naming the purpose, so no use (mask, cursor, feed credential) can stand in for another.
    /// </summary>
    public async Task<byte[]> DeriveAsync(byte[] info, CancellationToken cancellationToken)
    {
        var name = Convert.ToBase64String(info);
        if (_derived.TryGetValue(name, out var key)) return key;
        return _derived[name] = HKDF.DeriveKey(HashAlgorithmName.SHA256, await GetAsync(cancellationToken), 32, [], info);
    }

    /// <summary>The key, loaded or created on first use.</summary>
    public async Task<byte[]> GetAsync(CancellationToken cancellationToken)
    {
        if (_key is not null) return _key;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_key is not null) return _key;
            if (configuration["Pull:HashKey"] is { Length: > 0 } configured)
            {
                var bytes = Convert.FromBase64String(configured);
                if (bytes.Length < 32) throw new InvalidOperationException("Pull:HashKey must be at least 32 bytes (base64).");
                return _key = bytes;
            }
            const string sql = """
                insert into dx.server_secrets (name, value, created_at) values ('mask-hmac', $1, now()) on conflict (name) do nothing;
                """;
            await using (var cmd = Db.Command(dataSource, sql, RandomNumberGenerator.GetBytes(32))) await cmd.ExecuteNonQueryAsync(cancellationToken);
            await using var read = Db.Command(dataSource, "select value from dx.server_secrets where name = 'mask-hmac'");
            return _key = (byte[])(await read.ExecuteScalarAsync(cancellationToken))!;
        }
        finally
        {
            _gate.Release();
        }
    }
}
