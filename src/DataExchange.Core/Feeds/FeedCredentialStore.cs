using System.Text;
using DataExchange.Core.Common;
using DataExchange.Core.Pull;
using Npgsql;

namespace DataExchange.Core.Feeds;

/// <summary>A credential as a fetch sends it: the header to set and its value, for the one host it was set for.</summary>
public sealed record OpenedCredential(string Kind, string? HeaderName, string Value, string Host);

/// <summary>
/// Feed credentials in <c>dx.feed_credentials</c> (issue 13, item 11), sealed with AES-256-GCM under a key
/// derived by HKDF from the server secret (<see cref="MaskKey"/>) with a label of their own, and bound to
/// the dataset, kind, header name and host they were set for. Only a fetch opens them; every API answer
/// carries the kind alone.
/// </summary>
public sealed class FeedCredentialStore(NpgsqlDataSource dataSource, MaskKey serverSecret)
{
    const byte Format = 1;
    static readonly byte[] Info = "dataexchange feed credential aes-256-gcm v1"u8.ToArray();

    /// <summary>
    /// Sets, keeps or clears the credential of <paramref name="feed"/> in the transaction open on
    /// <paramref name="conn"/>; returns what happened (set, kept, cleared) or null when the feed has none.
    /// </summary>
    public async Task<string?> ApplyAsync(NpgsqlConnection conn, string datasetId, FeedDefinition feed, string pointer, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var requested = feed.Credential;
        var host = FeedCredentials.HostOf(feed.Source);
        (string Kind, string? Header, string Host)? stored = null;
        await using (var cmd = Db.Command(conn, "select kind, header_name, host from dx.feed_credentials where dataset_id = $1 for update", datasetId))
        await using (var r = await cmd.ExecuteReaderAsync(cancellationToken))
            if (await r.ReadAsync(cancellationToken)) stored = (r.GetString(0), r.Get<string>(1), r.GetString(2));

        if (requested is null && stored is { } kept)
        {
            if (kept.Host == host) return "kept";
            throw new InvalidException("credential-host-changed",
                $"The feed's credential was set for {kept.Host}; it is never sent to another host. Give it again for the new source, or clear it with {{\"kind\": \"none\"}}.",
                [new(pointer, "credential-host-changed", "Give the credential again, or kind none.")]);
        }
        if (requested is null || requested.Kind == FeedCredential.None)
        {
            if (stored is null) return null;
            await using var delete = Db.Command(conn, "delete from dx.feed_credentials where dataset_id = $1", datasetId);
            await delete.ExecuteNonQueryAsync(cancellationToken);
            return "cleared";
        }
        if (requested.Secret is null)
        {
            if (stored is { } same && same.Kind == requested.Kind && same.Header == requested.HeaderName && same.Host == host && requested.Username is null) return "kept";
            throw new InvalidException("credential-secret-required", "Give the credential's secret: it is never shown, so only the very same credential can be kept without it.",
                [new(pointer + "/secret", "required", "Give the secret (dx: secretEnv names an environment variable holding it).")]);
        }
        var value = requested.Kind == FeedCredential.Basic ? $"{requested.Username}:{requested.Secret}" : requested.Secret;
        var key = await serverSecret.DeriveAsync(Info, cancellationToken);
        var sealedValue = SealedBox.Seal(key, Format, Encoding.UTF8.GetBytes(value), Binding(datasetId, requested.Kind!, requested.HeaderName, host!));
        const string upsert = """
            insert into dx.feed_credentials (dataset_id, kind, header_name, host, sealed, updated_at) values ($1, $2, $3, $4, $5, $6)
            on conflict (dataset_id) do update set kind = $2, header_name = $3, host = $4, sealed = $5, updated_at = $6
            """;
        await using var cmd2 = Db.Command(conn, upsert, datasetId, requested.Kind!, Db.Typed(requested.HeaderName), host!, sealedValue, now);
        await cmd2.ExecuteNonQueryAsync(cancellationToken);
        return "set";
    }

    /// <summary>The opened credential of the dataset's feed for a fetch, or null when it has none.</summary>
    public async Task<OpenedCredential?> OpenAsync(string datasetId, CancellationToken cancellationToken)
    {
        await using var cmd = Db.Command(dataSource, "select kind, header_name, host, sealed from dx.feed_credentials where dataset_id = $1", datasetId);
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        if (!await r.ReadAsync(cancellationToken)) return null;
        var (kind, header, host) = (r.GetString(0), r.Get<string>(1), r.GetString(2));
        var plain = SealedBox.Open(await serverSecret.DeriveAsync(Info, cancellationToken), Format, r.GetFieldValue<byte[]>(3), Binding(datasetId, kind, header, host))
            ?? throw new FeedFetchException("The feed's credential cannot be opened: the server secret (Pull:HashKey) changed since it was set, or the row was altered. Set the credential again.", retryable: false);
        return new OpenedCredential(kind, header, Encoding.UTF8.GetString(plain), host);
    }

    // Fields joined by U+0000, which no dataset id, kind, header name or host contains.
    static byte[] Binding(string datasetId, string kind, string? header, string host) =>
        Encoding.UTF8.GetBytes($"dx-feed-credential-v1\0{datasetId}\0{kind}\0{header}\0{host}");
}
