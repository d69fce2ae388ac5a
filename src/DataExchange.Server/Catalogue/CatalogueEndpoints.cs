using DataExchange.Core.Catalogue;

namespace DataExchange.Server.Catalogue;

/// <summary>Catalogue entries with freshness and quality.</summary>
public static class CatalogueEndpoints
{
    /// <summary>Maps /api/v1/catalogue/{datasetId}.</summary>
    public static RouteGroupBuilder MapCatalogue(this RouteGroupBuilder api)
    {
        api.MapGet("/catalogue/{datasetId}", async (string datasetId, CatalogueEntries entries, CancellationToken ct) =>
            TypedResults.Ok(await entries.GetAsync(datasetId, ct)))
            .WithTags("Catalogue").WithName("getCatalogueEntry")
            .WithSummary("A dataset's catalogue entry for any authenticated agency: schema versions, latest version, freshness (age of the latest version) and quality (rows, rejected share of the last run).");
        return api;
    }
}
