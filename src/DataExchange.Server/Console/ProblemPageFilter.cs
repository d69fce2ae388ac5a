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
        executed.ExceptionHandled = true;
        executed.Result = Result(From(e));
    }

    /// <summary>The problem page for <paramref name="problem"/>.</summary>
    public static IActionResult Result(ConsoleProblem problem) => new PartialViewResult
    {
        ViewName = "_Problem",
        StatusCode = problem.Status,
        ViewData = new ViewDataDictionary<ConsoleProblem>(new EmptyModelMetadataProvider(), new ModelStateDictionary()) { Model = problem },
    };

    /// <summary>The status and wording of a domain exception.</summary>
    public static ConsoleProblem From(DomainException e) => e switch
    {
        ForbiddenException => new(403, "Not allowed", e.Message, []),
        NotFoundException => new(404, "Not found", e.Message, []),
        ConflictException => new(409, "Conflict", e.Message, []),
        InvalidException i => new(400, "Not valid", e.Message, i.Errors),
        _ => new(400, "Refused", e.Message, []),
    };
}
