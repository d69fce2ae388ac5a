using System.Security.Claims;
using System.Text.Encodings.Web;
using DataExchange.Core.Agencies;
using DataExchange.Core.Common;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace DataExchange.Server.Agencies;

/// <summary>Authenticates <c>Authorization: Bearer &lt;api key&gt;</c> against the stored key hashes.</summary>
public sealed class ApiKeyAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiKeyService keys)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    /// <summary>The scheme name.</summary>
    public const string SchemeName = "ApiKey";

    /// <inheritdoc />
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        string? key = header?.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) == true ? header["Bearer ".Length..].Trim() : null;
        // CKAN clients send the bare key, in Authorization or X-CKAN-API-Key (issue 17).
        if (key is null && Request.Path.StartsWithSegments("/api/3", StringComparison.Ordinal))
            key = header?.Trim() is { Length: > 0 } bare ? bare : Request.Headers["X-CKAN-API-Key"].ToString() is { Length: > 0 } ckan ? ckan.Trim() : null;
        if (key is null) return AuthenticateResult.NoResult();
        var caller = await keys.AuthenticateAsync(key, Context.RequestAborted);
        if (caller is null) return AuthenticateResult.Fail("The API key is unknown, expired or revoked.");
        return AuthenticateResult.Success(new AuthenticationTicket(ToPrincipal(caller, SchemeName), SchemeName));
    }

    /// <inheritdoc />
    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        await Results.Problem(statusCode: 401, title: "Authentication required", type: "urn:dataexchange:problem:unauthenticated",
            detail: "Send 'Authorization: Bearer <api key>' with a valid, unexpired, unrevoked key.").ExecuteAsync(Context);
    }

    /// <summary>The claims of a caller.</summary>
    public static ClaimsPrincipal ToPrincipal(Caller caller, string scheme)
    {
        var claims = new List<Claim> { new(ClaimTypes.NameIdentifier, caller.ClientId), new("agency", caller.AgencyId) };
        claims.AddRange(caller.Roles.Select(r => new Claim(ClaimTypes.Role, r)));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, scheme));
    }
}

/// <summary>Reads the <see cref="Caller"/> back from the authenticated principal.</summary>
public static class CallerExtensions
{
    /// <summary>The caller of this request, or <see cref="Caller.Anonymous"/> on a public endpoint without a key.</summary>
    public static Caller CallerOrAnonymous(this HttpContext context) =>
        context.User.Identity?.IsAuthenticated == true ? context.Caller() : Core.Common.Caller.Anonymous;

    /// <summary>The caller of this request; endpoints require authentication, so it exists.</summary>
    public static Caller Caller(this HttpContext context) => CallerOf(context.User);

    /// <summary>The caller an authenticated principal (an API key's or the console's) stands for.</summary>
    public static Caller CallerOf(ClaimsPrincipal user)
    {
        return new Caller(
            user.FindFirstValue(ClaimTypes.NameIdentifier) ?? throw new InvalidOperationException("Unauthenticated request reached an endpoint."),
            user.FindFirstValue("agency")!,
            user.FindAll(ClaimTypes.Role).Select(c => c.Value).ToHashSet(StringComparer.Ordinal));
    }
}
