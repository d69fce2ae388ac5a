using System.Net.Sockets;
using DataExchange.Core.Common;
using Microsoft.AspNetCore.Diagnostics;
using Npgsql;

namespace DataExchange.Server.Hosting;

/// <summary>
/// Maps domain exceptions to RFC 9457 problem details in one place: Invalid → 400, Forbidden → 403,
/// NotFound → 404, Conflict → 409, a limit → 429 with Retry-After; an unreachable database, or a refusal that could not be audited → 503 with Retry-After.
/// </summary>
public sealed partial class ProblemMapping(ILogger<ProblemMapping> logger) : IExceptionHandler
{
    /// <inheritdoc />
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var (status, code, title, detail, errors) = exception switch
        {
            InvalidException e => (400, e.Code, "The request is not valid", e.Message, e.Errors),
            ForbiddenException e => (403, e.Code, "Forbidden", e.Message, null),
            NotFoundException e => (404, e.Code, "Not found", e.Message, null),
            ConflictException e => (409, e.Code, "Conflict", e.Message, null),
            LimitExceededException e => (429, e.Code, "Too many requests", e.Message, null),
            Audit.RefusalNotAuditedException => (503, "audit-unavailable", "Service unavailable", "The refusal could not be put on the audit record, so it is not answered; retry shortly.", null),
            BadHttpRequestException { StatusCode: 400, InnerException: System.Text.Json.JsonException j } => (400, "invalid-json", "The request is not valid",
                "The body could not be read as this request's JSON.", [JsonBodyProblem.From(j)]),
            BadHttpRequestException e => (e.StatusCode, e.StatusCode == 413 ? "payload-too-large" : "bad-request", "Bad request", e.Message, null),
            PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } => (409, "conflict", "Conflict", "The resource already exists.", null),
            // Class 22 (data exception): a value PostgreSQL cannot take, such as a NUL character in text.
            PostgresException p when p.SqlState.StartsWith("22", StringComparison.Ordinal) => (400, "invalid-value", "The request is not valid",
                "A value in the request cannot be stored or compared (for example a NUL character, or a number out of range).", null),
            _ when IsDatabaseUnavailable(exception) => (503, "database-unavailable", "Service unavailable", "The database is unreachable; retry shortly.", (IReadOnlyList<ProblemItem>?)null),
            _ => (500, "internal", "Internal error", "Something went wrong; the error was logged.", null),
        };
        if (status >= 500 && status != 503) LogUnhandled(logger, exception);
        if (context.Response.HasStarted) return false;
        context.Response.StatusCode = status;
        if (status == 503) context.Response.Headers.RetryAfter = "5";
        if (exception is LimitExceededException limit)
            context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(limit.RetryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var extensions = new Dictionary<string, object?>();
        var culture = ProblemText.CultureOf(context.Request);
        if (errors is { Count: > 0 }) extensions["errors"] = errors.Select(e => new { pointer = e.Pointer, code = e.Code, message = ProblemText.Localize(e.Message, null, culture) }).ToArray();
        await Results.Problem(detail: detail, statusCode: status, title: title, type: "urn:dataexchange:problem:" + code, extensions: extensions).ExecuteAsync(context);
        return true;
    }

    /// <summary>
    /// The problem code of a bare status (a status-code page, an authorisation challenge): the
    /// framework's default problem types become <c>urn:dataexchange:problem:&lt;code&gt;</c> too (API.md).
    /// </summary>
    public static string CodeOf(int status) => status switch
    {
        401 => "unauthenticated",
        403 => "forbidden",
        404 => "not-found",
        405 => "method-not-allowed",
        406 => "not-acceptable",
        415 => "unsupported-media-type",
        _ => "http-" + status.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>
    /// Gives the problem details ASP.NET Core writes by itself (status-code pages) the exchange's problem type, and every
    /// problem's <c>detail</c> the caller's language (<see cref="ProblemText"/>; <c>Content-Language</c> says which).
    /// </summary>
    public static void Customize(ProblemDetailsContext context)
    {
        if (context.ProblemDetails.Type?.StartsWith("https://tools.ietf.org/", StringComparison.Ordinal) != false && context.ProblemDetails.Status is { } status)
            context.ProblemDetails.Type = "urn:dataexchange:problem:" + CodeOf(status);
        if (context.ProblemDetails.Detail is not { } detail || ProblemText.CultureOf(context.HttpContext.Request) is not { } culture) return;
        var code = context.ProblemDetails.Type?.StartsWith(TypePrefix, StringComparison.Ordinal) == true ? context.ProblemDetails.Type[TypePrefix.Length..] : null;
        context.ProblemDetails.Detail = ProblemText.Localize(detail, code, culture);
        if (!ReferenceEquals(context.ProblemDetails.Detail, detail)) context.HttpContext.Response.Headers.ContentLanguage = culture.Name;
    }

    const string TypePrefix = "urn:dataexchange:problem:";

    static bool IsDatabaseUnavailable(Exception e) =>
        e is NpgsqlException { InnerException: SocketException or IOException or TimeoutException }
        || e is PostgresException { SqlState: PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CannotConnectNow or PostgresErrorCodes.CrashShutdown }
        || (e is NpgsqlException n && n.IsTransient)
        || e is TimeoutException;

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled error")]
    static partial void LogUnhandled(ILogger logger, Exception exception);
}
