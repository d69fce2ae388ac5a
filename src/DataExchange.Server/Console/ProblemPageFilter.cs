using DataExchange.Core.Common;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Mvc.ViewFeatures;

namespace DataExchange.Server.Console;

/// <summary>A refusal or failure shown to a person: status, title and what to do.</summary>
public sealed record ConsoleProblem(int Status, string Title, string Detail, IReadOnlyList<ProblemItem> Errors);

/// <summary>
/// Turns the Core capabilities' domain exceptions into a page with the matching status: a role
/// check that throws <see cref="ForbiddenException"/> shows the 403 page, never the data.
/// </summary>
public sealed class ProblemPageFilter : IAsyncPageFilter
{
    /// <inheritdoc />
    public Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => Task.CompletedTask;

    /// <inheritdoc />
    public async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        var executed = await next();
        if (executed.Exception is not DomainException e || executed.ExceptionHandled) return;
        var problem = From(e);
        // A refusal is on the record before its page is shown, as the API's are (session 13: console refusals were not).
        if (e is ForbiddenException or NotFoundException && !e.Audited) await RecordRefusalAsync(context.HttpContext, problem.Status, e.Code);
        executed.ExceptionHandled = true;
        executed.Result = Result(problem);
    }

    /// <summary>
    /// Audits a refused page as request-refused, with the signed-in caller, the page's route and, on a dataset's page,
    /// the dataset (so its owner's auditors see the probe). Unrecorded, it is not shown: 503 audit-unavailable.
    /// </summary>
    static async Task RecordRefusalAsync(HttpContext http, int status, string code)
    {
        // Razor Pages' templates have no leading slash; the API's (and the entry's readers) do.
        var route = (http.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText is { } raw ? "/" + raw.TrimStart('/') : null;
        var dataset = route?.StartsWith("/console/datasets/", StringComparison.Ordinal) == true ? http.Request.RouteValues["id"] as string : null;
        var caller = http.User.Identity?.IsAuthenticated == true ? Agencies.CallerExtensions.Caller(http) : null;
        var refusal = new Core.Audit.Refusal(caller, http.Request.Method, route, http.Request.Path.Value ?? "", status, code, dataset,
            http.Connection.RemoteIpAddress?.ToString() ?? "unknown");
        try
        {
            await http.RequestServices.GetRequiredService<Core.Audit.RefusalLog>().RecordAsync(refusal, CancellationToken.None);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new Server.Audit.RefusalNotAuditedException(e);
        }
    }

    /// <summary>The problem page for <paramref name="problem"/>.</summary>
    public static IActionResult Result(ConsoleProblem problem) => new PartialViewResult
    {
        ViewName = "_Problem",
        StatusCode = problem.Status,
        ViewData = new ViewDataDictionary<ConsoleProblem>(new EmptyModelMetadataProvider(), new ModelStateDictionary()) { Model = problem },
    };

    /// <summary>The status and wording of a domain exception, its detail and messages in the page's language where <see cref="Hosting.ProblemText"/> has them (the title is translated by the page).</summary>
    public static ConsoleProblem From(DomainException e)
    {
        var culture = System.Globalization.CultureInfo.CurrentUICulture is { Name: "zh-CN" } zh ? zh : null;
        var detail = Hosting.ProblemText.Localize(e.Message, e.Code, culture);
        return e switch
        {
            ForbiddenException => new(403, "Not allowed", detail, []),
            NotFoundException => new(404, "Not found", detail, []),
            ConflictException => new(409, "Conflict", detail, []),
            InvalidException i => new(400, "Not valid", detail, [.. i.Errors.Select(p => p with { Message = Hosting.ProblemText.Localize(p.Message, null, culture) })]),
            _ => new(400, "Refused", detail, []),
        };
    }
}
