using System.Globalization;
using DataExchange.Core.Agencies;
using DataExchange.Server.Agencies;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace DataExchange.Server.Console;

/// <summary>
/// Exchanges an API key for the console's session cookie. Attempts are limited per source address
/// (<see cref="SignInLimiter"/>); a sign-in is audited, refusals are counted and audited per window.
/// </summary>
public sealed class SignInModel(ApiKeyService keys, SignInLimiter limiter, SignInRefusals refusals, IOptions<ConsoleSignInOptions> options) : PageModel
{
    /// <summary>Where to go after signing in (local paths only).</summary>
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    /// <summary>Why the last attempt failed.</summary>
    public string? Error { get; private set; }

    /// <summary>Checks the key, audits the attempt and sets the cookie.</summary>
    public async Task<IActionResult> OnPostAsync(string? key, CancellationToken cancellationToken)
    {
        var source = SignInLimiter.SourceOf(HttpContext.Connection.RemoteIpAddress);
        if (limiter.TryAttempt(source) is { } wait)
        {
            await refusals.RecordAsync(source, key, rateLimited: true, cancellationToken);
            var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
            Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            return ProblemPageFilter.Result(new ConsoleProblem(StatusCodes.Status429TooManyRequests, "Too many sign-in attempts",
                Hosting.ProblemText.Localize($"Your address may try to sign in {options.Value.PermitLimit} times every {Describe(options.Value.Window)}. Try again in {seconds} seconds.", "too-many-sign-ins",
                    System.Globalization.CultureInfo.CurrentUICulture is { Name: "zh-CN" } zh ? zh : null), []));
        }
        var caller = await keys.ConsoleSignInAsync(key ?? "", source, cancellationToken);
        if (caller is null)
        {
            Error = "That key is unknown, expired or revoked.";
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Page();
        }
        await HttpContext.SignInAsync(ConsoleSetup.Scheme, ApiKeyAuthentication.ToPrincipal(caller, ConsoleSetup.Scheme));
        return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl! : "/console");
    }

    static string Describe(TimeSpan window) =>
        window.TotalMinutes is var m && m >= 1 && m == Math.Floor(m) ? (m == 1 ? "minute" : $"{m} minutes") : $"{window.TotalSeconds} seconds";
}
