using DataExchange.Core.Agencies;
using DataExchange.Core.Pull;
using DataExchange.Server.Agencies;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;

namespace DataExchange.Server.Console;

/// <summary>
/// The web console for stewards and auditors: Razor Pages under <c>/console</c>, signed in with an
/// API key exchanged for a session cookie. The cookie carries only the key id; every request
/// re-checks that the key is neither revoked nor expired, and refreshes its roles.
/// </summary>
public static class ConsoleSetup
{
    /// <summary>The console's cookie scheme; the API keeps requiring the ApiKey scheme.</summary>
    public const string Scheme = "Console";

    /// <summary>The authorization policy of every console page but sign-in.</summary>
    public const string Policy = "Console";

    /// <summary>Adds the cookie scheme, the pages and what they need.</summary>
    public static IServiceCollection AddExchangeConsole(this IServiceCollection services, AuthenticationBuilder authentication)
    {
        authentication.AddCookie(Scheme, o =>
        {
            o.Cookie.Name = "dx_console";
            o.Cookie.HttpOnly = true;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.LoginPath = "/console/signin";
            o.LogoutPath = "/console/signout";
            // A working day; sliding, so an idle console signs out after 8 hours.
            o.ExpireTimeSpan = TimeSpan.FromHours(8);
            o.SlidingExpiration = true;
            o.Events.OnValidatePrincipal = ValidateAsync;
        });
        services.AddAuthorizationBuilder().AddPolicy(Policy, p => p.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser());
        services.AddRazorPages(o =>
        {
            o.RootDirectory = "/Console";
            o.Conventions.AuthorizeFolder("/", Policy);
            o.Conventions.AllowAnonymousToPage("/SignIn");
            o.Conventions.ConfigureFilter(new ProblemPageFilter());
        });
        services.AddSingleton<PolicyPreview>().AddSingleton<SignInLimiter>();
        return services;
    }

    /// <summary>Maps the pages and the stylesheet.</summary>
    public static void MapExchangeConsole(this WebApplication app)
    {
        app.UseStaticFiles();
        app.MapGet("/", () => Results.Redirect("/console")).ExcludeFromDescription();
        app.MapRazorPages();
    }

    /// <summary>Whether the console cookie of this request stands for an admin of the operator agency (the Hangfire dashboard asks).</summary>
    public static async Task<bool> IsConsoleOperatorAdminAsync(HttpContext http)
    {
        var result = await http.AuthenticateAsync(Scheme);
        return result.Succeeded && Hosting.HangfireSetup.IsOperatorAdmin(result.Principal);
    }

    static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var keyId = context.Principal?.FindFirst(System.Security.Claims.ClaimTypes.NameIdentifier)?.Value;
        var keys = context.HttpContext.RequestServices.GetRequiredService<ApiKeyService>();
        var caller = keyId is null ? null : await keys.FindActiveAsync(keyId, context.HttpContext.RequestAborted);
        if (caller is null)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(Scheme);
            return;
        }
        context.ReplacePrincipal(ApiKeyAuthentication.ToPrincipal(caller, Scheme));
    }
}
