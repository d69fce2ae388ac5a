using Microsoft.Extensions.Options;

namespace DataExchange.Core.Feeds;

/// <summary>
/// The hosts that HTTP feeds and webhooks may name: the operator's (<see cref="FeedOptions.AllowedHosts"/>) and those
/// admins added (<c>dx.feed_hosts</c>), which <see cref="FeedHostService"/> keeps current in this process.
/// </summary>
public sealed class FeedHostList(IOptions<FeedOptions> options)
{
    volatile IReadOnlySet<string> _adminHosts = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Hosts added by admins, as last read from <c>dx.feed_hosts</c>.</summary>
    public IReadOnlySet<string> AdminHosts => _adminHosts;

    internal void SetAdminHosts(IEnumerable<string> hosts) => _adminHosts = new HashSet<string>(hosts, StringComparer.OrdinalIgnoreCase);

    /// <summary>Whether an HTTP source may be fetched: its host is on the allow-list, case-insensitively.</summary>
    public bool Allows(Uri uri) =>
        uri.Scheme is "http" or "https"
        && (options.Value.AllowedHosts.Contains(uri.IdnHost, StringComparer.OrdinalIgnoreCase) || _adminHosts.Contains(uri.IdnHost));
}
