using DataExchange.Core.Subscriptions;
using DataExchange.Server.Agencies;

namespace DataExchange.Server.Subscriptions;

/// <summary>Access decisions explained, and public datasets' auto-approval.</summary>
public static class AccessEndpoints
{
    /// <summary>Maps /api/v1/datasets/{id}/access and …/auto-approval.</summary>
    public static RouteGroupBuilder MapAccess(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/datasets/{datasetId}").WithTags("Subscriptions");
        group.MapGet("/access", async (string datasetId, HttpContext http, SubscriptionService service, CancellationToken ct) =>
            TypedResults.Ok(await service.ExplainAsync(http.Caller(), datasetId, ct)))
            .WithName("getAccessDecision")
            .WithSummary("Explain whether you may read the dataset now, and under which policy — without returning data (audited).");

        group.MapPut("/auto-approval", async (string datasetId, AutoApprovalRequest body, HttpContext http, AutoApprovals autoApprovals, CancellationToken ct) =>
            TypedResults.Ok(await autoApprovals.SetAsync(http.Caller(), datasetId, body, ct)))
            .WithName("putAutoApproval")
            .WithSummary("Approve future requests for a public dataset on arrival with this default policy (owner stewards).");

        group.MapDelete("/auto-approval", async (string datasetId, HttpContext http, AutoApprovals autoApprovals, CancellationToken ct) =>
        {
            await autoApprovals.RemoveAsync(http.Caller(), datasetId, ct);
            return TypedResults.NoContent();
        }).WithName("deleteAutoApproval").WithSummary("Stop auto-approving (owner stewards); existing subscriptions stay.");
        return api;
    }
}
