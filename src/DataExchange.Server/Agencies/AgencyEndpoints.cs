using DataExchange.Core.Agencies;
using DataExchange.Server.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DataExchange.Server.Agencies;

/// <summary>Agencies, API keys and the caller's own identity.</summary>
public static class AgencyEndpoints
{
    /// <summary>Who am I.</summary>
    public sealed record Me(string ClientId, string AgencyId, IReadOnlyList<string> Roles);

    /// <summary>Maps /api/v1/agencies… and /api/v1/me.</summary>
    public static RouteGroupBuilder MapAgencies(this RouteGroupBuilder api)
    {
        api.MapGet("/me", (HttpContext http) =>
        {
            var caller = http.Caller();
            return TypedResults.Ok(new Me(caller.ClientId, caller.AgencyId, [.. caller.Roles.Order(StringComparer.Ordinal)]));
        }).WithTags("Agencies").WithSummary("The calling API key's client id, agency and roles.");

        var agencies = api.MapGroup("/agencies").WithTags("Agencies");
        agencies.MapPost("/", async Task<Created<Agency>> (CreateAgencyRequest body, HttpContext http, AgencyService service, CancellationToken ct) =>
        {
            var agency = await service.CreateAsync(http.Caller(), body, ct);
            return TypedResults.Created($"/api/v1/agencies/{agency.Id}", agency);
        }).WithSummary("Create an agency (exchange operator admins).");

        agencies.MapGet("/", async (HttpContext http, AgencyService service, CancellationToken ct) =>
            TypedResults.Ok(new PageBody<Agency>(await service.ListAsync(ct).ToListAsync(ct), null)))
            .WithSummary("List agencies.");

        agencies.MapPost("/{agencyId}/keys", async Task<Created<IssuedApiKey>> (string agencyId, IssueKeyRequest body, HttpContext http, ApiKeyService keys, CancellationToken ct) =>
        {
            var issued = await keys.IssueAsync(http.Caller(), agencyId, body, ct);
            return TypedResults.Created($"/api/v1/agencies/{agencyId}/keys/{issued.Id}", issued);
        }).WithSummary("Issue an API key bound to the agency; the key is shown once.").CarriesSecret();

        agencies.MapGet("/{agencyId}/keys", async (string agencyId, HttpContext http, ApiKeyService keys, CancellationToken ct) =>
            TypedResults.Ok(new PageBody<ApiKeyInfo>(await keys.ListAsync(http.Caller(), agencyId, ct), null)))
            .WithSummary("List the agency's keys (never their secrets).");

        agencies.MapDelete("/{agencyId}/keys/{keyId}", async (string agencyId, string keyId, HttpContext http, ApiKeyService keys, CancellationToken ct) =>
        {
            await keys.RevokeAsync(http.Caller(), agencyId, keyId, ct);
            return TypedResults.NoContent();
        }).WithSummary("Revoke a key; effective on its next request.");
        return api;
    }
}
