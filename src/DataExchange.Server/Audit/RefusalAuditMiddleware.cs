using DataExchange.Core.Audit;
using DataExchange.Core.Common;
using DataExchange.Server.Agencies;
using DataExchange.Server.Hosting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;

namespace DataExchange.Server.Audit;

/// <summary>
/// Puts every refused API request — 401, 403, 404, and 429 past the client's rate limit (once per client and window) — on
/// the record before its answer leaves (issue 13, invariant 10), as <c>request-refused</c> through <see cref="RefusalLog"/>. Placed between
/// authentication and authorisation, it records at the first of these moments: an endpoint throws a
/// refusal (before the exception handler answers); the authorisation middleware challenges or
/// forbids (<see cref="RefusalAuthorizationResultHandler"/>, before the challenge is written); the
/// pipeline returns a refusal status with no body yet (before the status-code page writes one); or,
/// failing all of these, a refusal's response starts. A refusal a capability audited itself
/// (<see cref="DomainException.Audited"/>, say a pull's access-denied) is not recorded twice. When the
/// record cannot be written the answer is 503 (<see cref="RefusalNotAuditedException"/>) — or, if the
/// response had already begun, it is aborted — never an unaudited refusal.
/// </summary>
public sealed partial class RefusalAuditMiddleware(RequestDelegate next, ILogger<RefusalAuditMiddleware> logger)
{
    /// <summary>Runs the request; records its refusal at the earliest moment it is known.</summary>
    public async Task InvokeAsync(HttpContext context)
    {
        if (!Audited(context.Request.Path))
        {
            await next(context);
            return;
        }
        context.Features.Set(new Pending(logger));
        context.Response.OnStarting(() => IsRefusal(context.Response.StatusCode) ? RecordOnceAsync(context, context.Response.StatusCode) : Task.CompletedTask);
        try
        {
            await next(context);
        }
        catch (DomainException e) when (e is ForbiddenException or NotFoundException)
        {
            if (e.Audited) context.Features.Get<Pending>()!.Recorded = true;
            else await RecordOnceAsync(context, e is ForbiddenException ? 403 : 404, e.Code);
            throw;
        }
        if (!context.Response.HasStarted && IsRefusal(context.Response.StatusCode)) await RecordOnceAsync(context, context.Response.StatusCode);
    }

    /// <summary>Records the refusal of this API request unless it already was; throws <see cref="RefusalNotAuditedException"/> when it cannot.</summary>
    internal static async Task RecordOnceAsync(HttpContext context, int status, string? problem = null)
    {
        if (context.Features.Get<Pending>() is not { Recorded: false } pending) return;
        pending.Recorded = true;
        var user = context.User;
        // The jobs dashboard also opens with the console's cookie, which the API's scheme does not read: name that caller too.
        if (user.Identity?.IsAuthenticated != true && context.Request.Path.StartsWithSegments("/hangfire")
            && await context.AuthenticateAsync(Console.ConsoleSetup.Scheme) is { Succeeded: true } console)
            user = console.Principal;
        var authenticated = user.Identity?.IsAuthenticated == true;
        var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText;
        var reason = authenticated ? null : context.Request.Headers.Authorization.Count == 0 ? "missing-key" : "invalid-key";
        var refusal = new Refusal(authenticated ? CallerExtensions.CallerOf(user) : null, context.Request.Method, route is { Length: > 1 } ? route.TrimEnd('/') : route,
            RecordedPath(context, route), status, problem ?? ProblemMapping.CodeOf(status), context.Request.RouteValues["datasetId"] as string,
            context.Connection.RemoteIpAddress?.ToString() ?? "unknown", reason, Windowed: status == StatusCodes.Status429TooManyRequests);
        try
        {
            // Not the request's token: a client that hangs up is still on the record.
            await context.RequestServices.GetRequiredService<RefusalLog>().RecordAsync(refusal, CancellationToken.None);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogNotAudited(pending.Logger, e, status, refusal.Method, refusal.Path);
            throw new RefusalNotAuditedException(e);
        }
    }

    /// <summary>
    /// Marks this request's refusal as on the record already: for answers a capability audited itself
    /// without throwing (a signed proof of absence answers 404 with its evidence).
    /// </summary>
    public static void MarkRecorded(HttpContext context)
    {
        if (context.Features.Get<Pending>() is { } pending) pending.Recorded = true;
    }

    /// <summary>
    /// The path as the entry keeps it: a lookup's record key (route value <c>key</c>) is a person's or a
    /// company's identifier and stays out of the log (issue 16), so its segment is kept as <c>{key}</c>.
    /// </summary>
    static string RecordedPath(HttpContext context, string? route) =>
        route is not null && context.Request.RouteValues.ContainsKey("key")
            ? route.Replace("{datasetId}", context.Request.RouteValues["datasetId"] as string, StringComparison.Ordinal)
            : context.Request.Path.Value ?? "";

    static bool IsRefusal(int status) => status is 401 or 403 or 404;

    /// <summary>
    /// The API, and the two other places a key opens: /metrics (the operator's admins) and the jobs dashboard. Their
    /// refusals went unrecorded (session 13), so a consumer's key probing them left no trace.
    /// </summary>
    static bool Audited(PathString path) =>
        path.StartsWithSegments("/api") || path.StartsWithSegments("/metrics") || path.StartsWithSegments("/hangfire");

    [LoggerMessage(Level = LogLevel.Error, Message = "Refusal {Status} of {Method} {Path} could not be audited; answering 503")]
    static partial void LogNotAudited(ILogger logger, Exception exception, int status, string method, string path);

    sealed class Pending(ILogger logger)
    {
        public ILogger Logger { get; } = logger;
        public bool Recorded { get; set; }
    }
}

/// <summary>A refusal could not be audited, so it is not answered: 503 <c>audit-unavailable</c>.</summary>
public sealed class RefusalNotAuditedException(Exception inner) : Exception("The refusal could not be audited.", inner);

/// <summary>Records the authorisation middleware's challenges (401) and forbids (403) of API requests before they are written.</summary>
public sealed class RefusalAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    readonly Microsoft.AspNetCore.Authorization.Policy.AuthorizationMiddlewareResultHandler _default = new();

    /// <inheritdoc />
    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, Microsoft.AspNetCore.Authorization.Policy.PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Challenged) await RefusalAuditMiddleware.RecordOnceAsync(context, 401);
        else if (authorizeResult.Forbidden) await RefusalAuditMiddleware.RecordOnceAsync(context, 403);
        await _default.HandleAsync(next, context, policy, authorizeResult);
    }
}

/// <summary>Registers the refusal audit.</summary>
public static class RefusalAudit
{
    /// <summary>The authorisation result handler that records challenges and forbids.</summary>
    public static IServiceCollection AddRefusalAudit(this IServiceCollection services) =>
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, RefusalAuthorizationResultHandler>();

    /// <summary>The middleware; call between UseAuthentication and UseAuthorization.</summary>
    public static IApplicationBuilder UseRefusalAudit(this IApplicationBuilder app) => app.UseMiddleware<RefusalAuditMiddleware>();
}
