using DataExchange.Core.Pull;
using DataExchange.Server.Agencies;

namespace DataExchange.Server.Pull;

/// <summary>Pulling records under the caller's access policy.</summary>
public static class RecordEndpoints
{
    /// <summary>Maps /api/v1/datasets/{id}/records.</summary>
    public static RouteGroupBuilder MapRecords(this RouteGroupBuilder api)
    {
        api.MapGet("/datasets/{datasetId}/records", async (string datasetId, int? version, string? after, int? limit, HttpContext http, PullService pull, CancellationToken ct) =>
        {
            var page = await pull.ReadPageAsync(http.Caller(), datasetId, version, after, limit, ct);
            http.Response.Headers.ETag = $"\"{datasetId}@{page.Version}+{page.PolicyHash}\"";
            return TypedResults.Ok(new { page.Version, page.Items, page.Next });
        }).WithTags("Records").WithSummary("A page of the snapshot at the latest (or given) version, keyset-paged; 403 without an approved subscription.");
        return api;
    }
}
