using System.Text;
using DataExchange.Core.Common;
using DataExchange.Core.Pull;
using Npgsql;

namespace DataExchange.Core.Subscriptions.Notifications;

/// <summary>
/// Webhook signing secrets at rest (session 13): sealed with AES-256-GCM under a key derived by HKDF from the server
/// secret (<see cref="MaskKey"/>) with a label of their own, and bound to the subscription and URL they were registered
/// for, as feed credentials are. The secret must be read back to sign, so it cannot be hashed; before migration 0031 it
/// was kept in clear in <c>dx.webhooks.secret</c>, which <see cref="SealStoredAsync"/> seals once.
/// </summary>
public sealed class WebhookSecrets(NpgsqlDataSource dataSource, MaskKey serverSecret)
{
    const byte Format = 1;
    static readonly byte[] Info = "dataexchange webhook secret aes-256-gcm v1"u8.ToArray();

    // Rows written before 0031 (or by a node running older code), sealed a batch at a time; the clear value must still
    // be the one read, so a secret replaced meanwhile is not overwritten with the old one.
    const string ClearSql = "select subscription_id, url, secret from dx.webhooks where secret is not null limit 100";
    const string SealSql = "update dx.webhooks set secret_sealed = $3, secret = null where subscription_id = $1 and url = $2 and secret = $4";

    /// <summary>The sealed form of <paramref name="secret"/> for the webhook of <paramref name="subscriptionId"/> at <paramref name="url"/>.</summary>
    public async Task<byte[]> SealAsync(string subscriptionId, string url, string secret, CancellationToken cancellationToken) =>
        SealedBox.Seal(await serverSecret.DeriveAsync(Info, cancellationToken), Format, Encoding.UTF8.GetBytes(secret), Binding(subscriptionId, url));

    /// <summary>The secret, or null when <paramref name="sealedSecret"/> does not open for this subscription and URL (the server secret changed, or the row was altered).</summary>
    public async Task<string?> OpenAsync(string subscriptionId, string url, byte[] sealedSecret, CancellationToken cancellationToken) =>
        SealedBox.Open(await serverSecret.DeriveAsync(Info, cancellationToken), Format, sealedSecret, Binding(subscriptionId, url)) is { } plain
            ? Encoding.UTF8.GetString(plain) : null;

    /// <summary>Seals every secret still kept in clear; returns how many were sealed.</summary>
    public async Task<int> SealStoredAsync(CancellationToken cancellationToken)
    {
        var total = 0;
        while (true)
        {
            var clear = new List<(string Subscription, string Url, string Secret)>();
            await using (var cmd = Db.Command(dataSource, ClearSql))
            await using (var r = await cmd.ExecuteReaderAsync(cancellationToken))
                while (await r.ReadAsync(cancellationToken)) clear.Add((r.GetString(0), r.GetString(1), r.GetString(2)));
            if (clear.Count == 0) return total;
            var sealedNow = 0;
            foreach (var (subscription, url, secret) in clear)
            {
                await using var seal = Db.Command(dataSource, SealSql, subscription, url, await SealAsync(subscription, url, secret, cancellationToken), secret);
                sealedNow += await seal.ExecuteNonQueryAsync(cancellationToken);
            }
            total += sealedNow;
            // Rows that changed under us are sealed by whoever changed them (registration seals); do not spin on them.
            if (sealedNow == 0) return total;
        }
    }

    // Fields joined by U+0000, which neither a subscription id nor a URL contains.
    static byte[] Binding(string subscriptionId, string url) => Encoding.UTF8.GetBytes($"dx-webhook-secret-v1\0{subscriptionId}\0{url}");
}
