using DataExchange.Core.Ingestion;
using DataExchange.Server.Agencies;
using DataExchange.Server.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DataExchange.Server.Ingestion;

/// <summary>Runs ("run now", uploads, status, quarantine) and published versions.</summary>
public static class RunEndpoints
{
    /// <summary>Maps /api/v1/datasets/{id}/runs…, /uploads and /versions.</summary>
    public static RouteGroupBuilder MapRuns(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/datasets/{datasetId}").WithTags("Ingestion");
        group.MapPost("/runs", async Task<Accepted<RunInfo>> (string datasetId, HttpContext http, IngestionService service, CancellationToken ct) =>
        {
            var run = await service.RunNowAsync(http.Caller(), datasetId, ct);
            return TypedResults.Accepted($"/api/v1/datasets/{datasetId}/runs/{run.Id}", run);
        }).WithSummary("Run the feed now (stewards of the owner). Answers 202 with the queued run.");

        group.MapPost("/uploads", async Task<Accepted<RunInfo>> (string datasetId, HttpContext http, IngestionService service, CancellationToken ct) =>
        {
            var run = await service.UploadAsync(http.Caller(), datasetId, http.Request.Body, ct);
            return TypedResults.Accepted($"/api/v1/datasets/{datasetId}/runs/{run.Id}", run);
        }).WithSummary("Push a payload (request body, streamed) and queue its run (stewards of the owner).")
          .Accepts<Stream>("application/octet-stream", "text/csv", "application/json", "application/x-ndjson")
          // The feed limit (Feeds:MaxPayloadBytes) applies while streaming, not Kestrel's 30 MB default.
          .WithMetadata(new Microsoft.AspNetCore.Mvc.DisableRequestSizeLimitAttribute());

        group.MapGet("/runs", async (string datasetId, int? limit, string? after, HttpContext http, IngestionService service, CancellationToken ct) =>
            TypedResults.Ok((await service.ListRunsAsync(http.Caller(), datasetId, limit, after, ct)).ToBody(http)))
            .WithSummary("The dataset's runs, newest first, with status, timings and counts (stewards, admins and auditors of the owner; the operator's admins and auditors). Others: 403, audited.");

        group.MapGet("/runs/{runId:long}", async (string datasetId, long runId, HttpContext http, IngestionService service, CancellationToken ct) =>
            TypedResults.Ok(await service.GetRunAsync(http.Caller(), datasetId, runId, ct)))
            .WithSummary("One run (stewards, admins and auditors of the owner; the operator's admins and auditors). Others: 403, audited.");

        group.MapGet("/runs/{runId:long}/rejected", async (string datasetId, long runId, int? limit, string? after, HttpContext http, IngestionService service, CancellationToken ct) =>
            TypedResults.Ok((await service.ListRejectedAsync(http.Caller(), datasetId, runId, limit, after, ct)).ToBody(http)))
            .WithSummary("A run's quarantined records with their errors (stewards of the owner).");

        group.MapPost("/runs/{runId:long}/replay", async Task<Accepted<RunInfo>> (string datasetId, long runId, HttpContext http, IngestionService service, CancellationToken ct) =>
        {
            var run = await service.ReplayAsync(http.Caller(), datasetId, runId, ct);
            return TypedResults.Accepted($"/api/v1/datasets/{datasetId}/runs/{run.Id}", run);
        }).WithSummary("Replay a finished run's quarantine under the latest schema (stewards of the owner). Answers 202 with the queued replay run.");

        // A held run (issue 12) waits for a steward: release publishes exactly what was staged, discard
        // publishes nothing. 409 when the run is not held, or (release) another version was published since.
        group.MapPost("/runs/{runId:long}/release", async (string datasetId, long runId, HttpContext http, HeldRunService held, CancellationToken ct) =>
            TypedResults.Ok(await held.ReleaseAsync(http.Caller(), datasetId, runId, ct)))
            .WithSummary("Release a held run: publish exactly the changes it staged as the next version (stewards of the owner, admins). 409 if the run is not held or the dataset published another version since.");

        group.MapPost("/runs/{runId:long}/discard", async (string datasetId, long runId, HttpContext http, HeldRunService held, CancellationToken ct) =>
            TypedResults.Ok(await held.DiscardAsync(http.Caller(), datasetId, runId, ct)))
            .WithSummary("Discard a held run: it ends 'discarded' and nothing is published (stewards of the owner, admins). 409 if the run is not held.");

        group.MapGet("/versions", async (string datasetId, IngestionService service, CancellationToken ct) =>
            TypedResults.Ok(new PageBody<DatasetVersion>(await service.ListVersionsAsync(datasetId, ct), null)))
            .WithSummary("Published versions, newest first, with change counts (catalogue metadata: any key).");
        return api;
    }
}
