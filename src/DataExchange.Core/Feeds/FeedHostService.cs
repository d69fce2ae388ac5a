using System.Text.Json.Nodes;
using DataExchange.Core.Audit;
using DataExchange.Core.Common;
using Microsoft.Extensions.Options;
using Npgsql;

namespace DataExchange.Core.Feeds;

/// <summary>One allowed host and where it comes from: <c>config</c> (Feeds:AllowedHosts) or <c>admin</c> (the API).</summary>
public sealed record FeedHost(string Host, string Origin, string? AddedBy, DateTimeOffset? AddedAt);

/// <summary>The hosts that HTTP feeds may name, as admins replace them.</summary>
public sealed record ReplaceFeedHostsRequest(IReadOnlyList<string>? Hosts);

/// <summary>
/// The admin-managed allow-list of feed hosts (<c>dx.feed_hosts</c>), merged with the operator's
/// configuration. Every change is audited; the merged list is what registration and fetches check.
/// </summary>
public sealed class FeedHostService(NpgsqlDataSource dataSource, AuditWriter audit, IOptions<FeedOptions> options, FeedHostList allowList, TimeProvider time)
{
    /// <summary>Configured and admin-added hosts, sorted. Any authenticated caller may read it (stewards need to know).</summary>
    public async Task<IReadOnlyList<FeedHost>> ListAsync(CancellationToken cancellationToken = default)
    {
        var list = options.Value.AllowedHosts.Select(h => new FeedHost(h.ToLowerInvariant(), "config", null, null)).ToList();
        await using var cmd = Db.Command(dataSource, "select host, added_by, added_at from dx.feed_hosts order by host");
        await using (var r = await cmd.ExecuteReaderAsync(cancellationToken))
            while (await r.ReadAsync(cancellationToken))
                if (!list.Exists(h => h.Host == r.GetString(0)))
                    list.Add(new FeedHost(r.GetString(0), "admin", r.GetString(1), r.GetFieldValue<DateTimeOffset>(2)));
        allowList.SetAdminHosts(list.Where(h => h.Origin == "admin").Select(h => h.Host));
        return [.. list.OrderBy(h => h.Host, StringComparer.Ordinal)];
    }

    /// <summary>Replaces the admin-added hosts (operator admins only), audited with what was added and removed.</summary>
    public async Task<IReadOnlyList<FeedHost>> ReplaceAsync(Caller caller, ReplaceFeedHostsRequest request, CancellationToken cancellationToken = default)
    {
        caller.Require(Role.Admin);
        if (!caller.IsOperator) throw new ForbiddenException("operator-required", "Only admins of the exchange operator manage feed hosts.");
        var hosts = Normalise(request.Hosts);
        await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken);
        var before = new List<string>();
        await using (var cmd = Db.Command(conn, "select host from dx.feed_hosts order by host for update"))
        await using (var r = await cmd.ExecuteReaderAsync(cancellationToken))
            while (await r.ReadAsync(cancellationToken)) before.Add(r.GetString(0));
        await using (var cmd = Db.Command(conn, "delete from dx.feed_hosts where not (host = any($1))", (object)hosts.ToArray()))
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        await using (var cmd = Db.Command(conn, "insert into dx.feed_hosts (host, added_by, added_at) select h, $2, $3 from unnest($1::text[]) h on conflict do nothing",
            hosts.ToArray(), caller.ClientId, time.GetUtcNow()))
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        await audit.AppendAsync(conn, new AuditRecord(caller, AuditAction.FeedHostsUpdated, AuditOutcome.Succeeded, "feed-hosts", null, new JsonObject
        {
            ["added"] = new JsonArray([.. hosts.Except(before).Select(h => JsonValue.Create(h))]),
            ["removed"] = new JsonArray([.. before.Except(hosts).Select(h => JsonValue.Create(h))]),
        }), cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return await ListAsync(cancellationToken);
    }

    /// <summary>Reloads the admin-added hosts into the allow-list that checks read (before a fetch, and periodically).</summary>
    public Task RefreshAsync(CancellationToken cancellationToken = default) => ListAsync(cancellationToken);

    static List<string> Normalise(IReadOnlyList<string>? hosts)
    {
        if (hosts is null) throw new InvalidException("invalid-request", "Give the hosts to allow: {\"hosts\": [\"data.example.gov\"]}.");
        var errors = new List<ProblemItem>();
        var result = new List<string>();
        for (var i = 0; i < hosts.Count; i++)
        {
            var h = hosts[i]?.Trim() ?? "";
            if (Uri.CheckHostName(h) is UriHostNameType.Dns or UriHostNameType.IPv4 or UriHostNameType.IPv6 && !h.Contains('/', StringComparison.Ordinal))
                result.Add(new Uri("http://" + (h.Contains(':', StringComparison.Ordinal) ? $"[{h.Trim('[', ']')}]" : h)).IdnHost.ToLowerInvariant());
            else
                errors.Add(new ProblemItem($"/hosts/{i}", "invalid-host", $"'{h}' is not a host name (give a name such as data.example.gov, without scheme or path)."));
        }
        if (errors.Count > 0) throw new InvalidException("invalid-hosts", "Some hosts are not valid.", errors);
        return [.. result.Distinct(StringComparer.Ordinal)];
    }
}
