using DataExchange.Core.Datasets.Components;
using DataExchange.Server.Agencies;
using DataExchange.Server.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DataExchange.Server.Datasets;

/// <summary>Shared schema components (issue 15): reusable schemas that dataset schemas $ref by URI.</summary>
/// <remarks>
/// A component is identified by the URI schemas reference it by; URIs hold '/', so it travels in the query
/// (<c>?uri=</c>) rather than in a path segment, the one deviation from the API's ids-in-the-path habit.
/// </remarks>
public static class SchemaComponentEndpoints
{
    /// <summary>Maps /api/v1/schema-components….</summary>
    public static RouteGroupBuilder MapSchemaComponents(this RouteGroupBuilder api)
    {
        var components = api.MapGroup("/schema-components").WithTags("Schema components");
        components.MapPost("/", async Task<Created<SchemaComponentInfo>> (RegisterComponentRequest body, HttpContext http, SchemaComponentStore store, CancellationToken ct) =>
        {
            var component = await store.RegisterAsync(http.Caller(), body, ct);
            return TypedResults.Created($"/api/v1/schema-components/{component.Version}?uri={Uri.EscapeDataString(component.Uri)}", component);
        }).WithSummary("Register the next version of a shared schema component under its URI (stewards; a URI's versions only by the agency that registered it first).");

        components.MapGet("/", async (string? uri, SchemaComponentStore store, CancellationToken ct) =>
            TypedResults.Ok(new PageBody<SchemaComponentInfo>(await store.ListAsync(uri, ct), null)))
            .WithSummary("The versions of the component at ?uri=, oldest first; without uri, the latest version of every component.");

        components.MapGet("/{version:int}", async (int version, string uri, SchemaComponentStore store, CancellationToken ct) =>
            TypedResults.Ok(await store.GetAsync(uri, version, ct)))
            .WithSummary("One version of the component at ?uri=, with its schema.");
        return api;
    }
}
