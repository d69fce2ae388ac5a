using DataExchange.Core.Feeds;
using DataExchange.Server.Agencies;
using DataExchange.Server.Hosting;

namespace DataExchange.Server.Feeds;

/// <summary>The allow-list of hosts that HTTP feeds may name: configured ones plus those admins add here.</summary>
public static class FeedHostEndpoints
{
    /// <summary>Maps GET and PUT /api/v1/feed-hosts.</summary>
    public static RouteGroupBuilder MapFeedHosts(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/feed-hosts").WithTags("Ingestion");
        group.MapGet("", async (FeedHostService hosts, CancellationToken ct) =>
            TypedResults.Ok(new PageBody<FeedHost>(await hosts.ListAsync(ct), null)))
            .WithSummary("Allowed feed hosts, with origin config (Feeds:AllowedHosts) or admin.");
        group.MapPut("", async (ReplaceFeedHostsRequest request, HttpContext http, FeedHostService hosts, CancellationToken ct) =>
            TypedResults.Ok(new PageBody<FeedHost>(await hosts.ReplaceAsync(http.Caller(), request, ct), null)))
            .WithSummary("Replace the admin-added hosts (operator admins; audited). Configured hosts stay.");
        return api;
    }
}
