using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace DataExchange.Server.Console;

/// <summary>Ends the console session (POST only, with the anti-forgery token).</summary>
public sealed class SignOutModel : PageModel
{
    /// <summary>Clears the cookie.</summary>
    public async Task<IActionResult> OnPostAsync()
    {
        await HttpContext.SignOutAsync(ConsoleSetup.Scheme);
        return Redirect("/console/signin");
    }
}
