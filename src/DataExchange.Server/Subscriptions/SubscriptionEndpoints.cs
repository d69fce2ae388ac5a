using DataExchange.Core.Subscriptions;
using DataExchange.Server.Agencies;
using DataExchange.Server.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DataExchange.Server.Subscriptions;

/// <summary>The subscription lifecycle.</summary>
public static class SubscriptionEndpoints
{
    /// <summary>Maps /api/v1/subscriptions….</summary>
    public static RouteGroupBuilder MapSubscriptions(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/subscriptions").WithTags("Subscriptions");
        group.MapPost("/", async Task<Created<Subscription>> (SubscriptionRequest body, HttpContext http, SubscriptionService service, CancellationToken ct) =>
        {
            var sub = await service.RequestAsync(http.Caller(), body, ct);
            return TypedResults.Created($"/api/v1/subscriptions/{sub.Id}", sub);
        }).WithSummary("Request access to a dataset with a purpose (consumers).");

        group.MapGet("/", async (string? status, string? datasetId, int? limit, string? after, HttpContext http, SubscriptionService service, CancellationToken ct) =>
            TypedResults.Ok((await service.ListAsync(http.Caller(), status, datasetId, limit, after, ct)).ToBody(http)))
            .WithSummary("Subscriptions your agency requested or received.");

        group.MapGet("/{subscriptionId}", async (string subscriptionId, HttpContext http, SubscriptionService service, CancellationToken ct) =>
            TypedResults.Ok(await service.GetAsync(http.Caller(), subscriptionId, ct)))
            .WithSummary("One subscription.");

        group.MapPost("/{subscriptionId}/approval", async (string subscriptionId, ApprovalRequest body, HttpContext http, SubscriptionService service, CancellationToken ct) =>
            TypedResults.Ok(await service.ApproveAsync(http.Caller(), subscriptionId, body, ct)))
            .WithSummary("Approve with an access policy (stewards of the owning agency).");

        group.MapPost("/{subscriptionId}/rejection", async (string subscriptionId, RejectionRequest body, HttpContext http, SubscriptionService service, CancellationToken ct) =>
            TypedResults.Ok(await service.RejectAsync(http.Caller(), subscriptionId, body, ct)))
            .WithSummary("Reject with a reason (stewards of the owning agency).");

        group.MapDelete("/{subscriptionId}", async (string subscriptionId, HttpContext http, SubscriptionService service, CancellationToken ct) =>
            TypedResults.Ok(await service.RevokeAsync(http.Caller(), subscriptionId, ct)))
            .WithSummary("Revoke; effective on the next request. Kept for the audit trail.");
        return api;
    }
}
