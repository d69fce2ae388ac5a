using DataExchange.Core.Common;
using DataExchange.Server.Agencies;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace DataExchange.Server.Console;

/// <summary>Base of the console's pages: the signed-in caller, as the Core capabilities expect it.</summary>
public abstract class ConsolePage : PageModel
{
    /// <summary>The signed-in key's caller (pages require the console cookie, so it exists).</summary>
    public Caller Caller => HttpContext.Caller();
}
