using DataExchange.Core.Agencies;
using DataExchange.Server.Agencies;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace DataExchange.Server.Console;

/// <summary>Exchanges an API key for the console's session cookie; every attempt is audited.</summary>
public sealed class SignInModel(ApiKeyService keys) : PageModel
{
    /// <summary>Where to go after signing in (local paths only).</summary>
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    /// <summary>Why the last attempt failed.</summary>
    public string? Error { get; private set; }

    /// <summary>Checks the key, audits the attempt and sets the cookie.</summary>
    public async Task<IActionResult> OnPostAsync(string? key, CancellationToken cancellationToken)
    {
        var caller = string.IsNullOrWhiteSpace(key) ? null
            : await keys.ConsoleSignInAsync(key, HttpContext.Connection.RemoteIpAddress?.ToString(), cancellationToken);
        if (caller is null)
        {
            Error = "That key is unknown, expired or revoked.";
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Page();
        }
        await HttpContext.SignInAsync(ConsoleSetup.Scheme, ApiKeyAuthentication.ToPrincipal(caller, ConsoleSetup.Scheme));
        return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl! : "/console");
    }
}
