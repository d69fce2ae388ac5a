using DataExchange.Core.Common;
using DataExchange.Core.Datasets;

namespace DataExchange.Server.Hosting;

/// <summary>
/// The public catalogue (issue 17): a few reads answer without a key — the catalogue of datasets classified
/// public, and the records of public datasets their steward marked open. Without a key the caller is
/// <see cref="Caller.Anonymous"/>; a key that is sent but not valid is still refused with 401, and a dataset
/// an anonymous caller may not see answers 401 as before (its existence does not leak).
/// </summary>
public static class PublicAccess
{
    /// <summary>Which datasets an anonymous caller may reach through an endpoint.</summary>
    public enum Scope
    {
        /// <summary>Lists, filtered by the endpoint itself.</summary>
        List,
        /// <summary>Metadata of datasets classified public.</summary>
        PublicMetadata,
        /// <summary>Records of public datasets marked open.</summary>
        OpenRecords,
    }

    /// <summary>Lets the endpoint answer without a key, within <paramref name="scope"/>.</summary>
    public static TBuilder AllowPublic<TBuilder>(this TBuilder builder, Scope scope) where TBuilder : IEndpointConventionBuilder =>
        builder.AllowAnonymous().AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            if (http.User.Identity?.IsAuthenticated == true) return await next(context);
            if (http.Request.Headers.Authorization.Count > 0 || http.Request.Headers.ContainsKey("X-CKAN-API-Key")) return Challenge();
            if (scope != Scope.List)
            {
                var id = http.Request.RouteValues["datasetId"] as string;
                var dataset = id is null ? null : await http.RequestServices.GetRequiredService<DatasetRegistry>().FindAsync(id, http.RequestAborted);
                var visible = scope == Scope.OpenRecords ? dataset?.IsOpen == true : dataset?.Classification == Classification.Public;
                if (!visible) return Challenge();
            }
            return await next(context);
        });

    // The API key scheme's own challenge: 401 with WWW-Authenticate and a problem body.
    static IResult Challenge() => Results.Challenge();
}
