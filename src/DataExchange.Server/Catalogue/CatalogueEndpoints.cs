using DataExchange.Core.Catalogue;
using DataExchange.Core.Common;
using DataExchange.Server.Agencies;
using DataExchange.Server.Hosting;

namespace DataExchange.Server.Catalogue;

/// <summary>Catalogue entries with freshness and quality, and the catalogue as DCAT-AP 3.</summary>
public static class CatalogueEndpoints
{
    const string JsonLd = "application/ld+json", Turtle = "text/turtle";

    /// <summary>Maps /api/v1/catalogue/{datasetId}, /catalogue/dcat and /catalogue/{datasetId}/dcat.</summary>
    public static RouteGroupBuilder MapCatalogue(this RouteGroupBuilder api)
    {
        api.MapGet("/catalogue/{datasetId}", async (string datasetId, CatalogueEntries entries, CancellationToken ct) =>
            TypedResults.Ok(await entries.GetAsync(datasetId, ct)))
            .WithTags("Catalogue").WithName("getCatalogueEntry")
            .WithSummary("A dataset's catalogue entry for any authenticated agency (without a key: datasets classified public): schema versions, latest version, freshness (age of the latest version) and quality (rows, rejected share of the last run).")
            .AllowPublic(PublicAccess.Scope.PublicMetadata);
        api.MapGet("/catalogue/dcat", async (int? limit, string? after, HttpContext http, DcatCatalogue dcat, CancellationToken ct) =>
        {
            var page = await dcat.BuildPageAsync(BaseUrl(http.Request), http.CallerOrAnonymous().IsAnonymous, limit, after, ct);
            if (page.Next is { } next)
                http.Response.Headers.Append("Link", $"<{http.Request.PathBase}{http.Request.Path}?limit={Paging.Limit(limit)}&after={Uri.EscapeDataString(next)}>; rel=\"next\"");
            return Serialise(http, page.Graph);
        })
            .WithTags("Catalogue").WithName("getDcatCatalogue")
            .WithSummary("The catalogue as DCAT-AP 3: JSON-LD, or Turtle with `Accept: text/turtle`, in pages of `limit` datasets (default 100, at most 1000) in id order: each page is a hydra:PagedCollection with hydra:totalItems, hydra:itemsPerPage, hydra:firstPage and hydra:nextPage (absent on the last page), also sent as `Link: rel=\"next\"`. Without a key, the datasets classified public; with one, every dataset.")
            .Produces<string>(200, JsonLd, Turtle)
            .AllowPublic(PublicAccess.Scope.List);
        api.MapGet("/catalogue/{datasetId}/dcat", async (string datasetId, HttpContext http, DcatCatalogue dcat, CancellationToken ct) =>
            Serialise(http, await dcat.BuildAsync(BaseUrl(http.Request), http.CallerOrAnonymous().IsAnonymous, datasetId, ct)))
            .WithTags("Catalogue").WithName("getDcatDataset")
            .WithSummary("One dataset as DCAT-AP 3 (in its catalogue): JSON-LD, or Turtle with `Accept: text/turtle`.")
            .Produces<string>(200, JsonLd, Turtle)
            .AllowPublic(PublicAccess.Scope.PublicMetadata);
        return api;
    }

    static string BaseUrl(HttpRequest request) => $"{request.Scheme}://{request.Host}{request.PathBase}";

    static IResult Serialise(HttpContext http, Rdf rdf)
    {
        var request = http.Request;
        http.Response.Headers.Vary = "Accept, Authorization";
        var turtle = request.GetTypedHeaders().Accept.OrderByDescending(a => a.Quality ?? 1)
            .FirstOrDefault(a => a.MediaType.Equals(Turtle, StringComparison.OrdinalIgnoreCase) || a.MediaType.Equals(JsonLd, StringComparison.OrdinalIgnoreCase) || a.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
            ?.MediaType.Equals(Turtle, StringComparison.OrdinalIgnoreCase) == true;
        return turtle ? Results.Text(rdf.ToTurtle(), Turtle + "; charset=utf-8") : Results.Text(rdf.ToJsonLdText(), JsonLd + "; charset=utf-8");
    }
}
