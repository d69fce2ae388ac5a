using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace DataExchange.Server.Hosting;

/// <summary>Per-API-client request limits (section <c>RateLimiting</c>).</summary>
public sealed class RateLimitingOptions
{
    /// <summary>Requests one API client may make per window. Default 1200 (20/s averaged over a minute): generous for scripts and the CLI.</summary>
    public int PermitLimit { get; set; } = 1200;

    /// <summary>The fixed window. Default 1 minute.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// ASP.NET Core's rate limiter partitioned by API client id (anonymous callers by address): 429 with
/// Retry-After and a problem body past the limit. Also gzip response compression (API.md), which
/// wraps the streamed NDJSON/CSV bodies without buffering them.
/// </summary>
public static class RateLimiting
{
    /// <summary>The policy name the /api/v1 group requires.</summary>
    public const string PerClient = "per-client";

    /// <summary>Adds the limiter and response compression.</summary>
    public static IServiceCollection AddExchangeRateLimiting(this IServiceCollection services, IConfiguration configuration)
    {
        var options = new RateLimitingOptions();
        configuration.GetSection("RateLimiting").Bind(options);
        if (options.PermitLimit <= 0 || options.Window <= TimeSpan.Zero) throw new InvalidOperationException("RateLimiting: PermitLimit and Window must be positive.");
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.AddPolicy(PerClient, http => RateLimitPartition.GetFixedWindowLimiter(
                http.User.FindFirstValue(ClaimTypes.NameIdentifier) ?? "ip:" + http.Connection.RemoteIpAddress,
                _ => new FixedWindowRateLimiterOptions { PermitLimit = options.PermitLimit, Window = options.Window, QueueLimit = 0 }));
            o.OnRejected = async (context, cancellationToken) =>
            {
                var retry = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : options.Window;
                // On the record before the answer (session 13: a 429 was not), once per client and refusal window.
                await Audit.RefusalAuditMiddleware.RecordOnceAsync(context.HttpContext, StatusCodes.Status429TooManyRequests, "rate-limited");
                context.HttpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retry.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                await Results.Problem(statusCode: 429, title: "Too many requests", type: "urn:dataexchange:problem:rate-limited",
                    detail: $"This API client may make {options.PermitLimit} requests per {options.Window}; retry after the Retry-After seconds.").ExecuteAsync(context.HttpContext);
            };
        });
        services.AddResponseCompression(o =>
        {
            o.EnableForHttps = true;
            o.MimeTypes = ["application/json", "application/x-ndjson", "text/csv", "application/problem+json"];
        });
        return services;
    }
}
