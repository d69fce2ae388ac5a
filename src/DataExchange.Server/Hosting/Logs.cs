using Microsoft.AspNetCore.HttpLogging;
using Microsoft.Extensions.Logging.Console;

namespace DataExchange.Server.Hosting;

/// <summary>
/// Structured logs: <c>--Logging:Console:FormatterName=json</c> writes one JSON object per line with a UTC
/// timestamp and the scopes (the W3C <c>TraceId</c>/<c>SpanId</c> of the request or job, a run's <c>RunId</c>);
/// each request is one line (method, path, status, duration; never its query, headers or body).
/// </summary>
public static class Logs
{
    /// <summary>Framework log categories whose Information and Debug lines carry the raw request path.</summary>
    public static IReadOnlyList<string> RawPathCategories { get; } = ["Microsoft.AspNetCore.Hosting.Diagnostics", "Microsoft.AspNetCore.Routing"];

    /// <summary>Adds the request line and the JSON formatter's defaults (each one kept when configured).</summary>
    public static IServiceCollection AddExchangeLogging(this IServiceCollection services, IConfiguration configuration)
    {
        var configured = configuration.GetSection("Logging:Console:FormatterOptions");
        services.Configure<JsonConsoleFormatterOptions>(o =>
        {
            if (configured[nameof(o.IncludeScopes)] is null) o.IncludeScopes = true;
            if (configured[nameof(o.UseUtcTimestamp)] is null) o.UseUtcTimestamp = true;
            o.TimestampFormat ??= "yyyy-MM-ddTHH:mm:ss.fffZ";
        });
        // Paths carry dataset and run ids, never secrets, and are logged with a subject's key as its placeholder
        // (RoutePathLogging); queries carry cursors and are left out.
        services.AddHttpLogging(o =>
        {
            o.LoggingFields = HttpLoggingFields.RequestMethod | HttpLoggingFields.RequestPath | HttpLoggingFields.ResponseStatusCode | HttpLoggingFields.Duration;
            o.CombineLogs = true;
        });
        services.AddHttpLoggingInterceptor<RoutePathLogging>();
        // The framework's own request lines ("Request starting … GET …/records/<key>") and route matching write the raw
        // path, with a looked-up subject's key in it (issue 16): held at Warning whatever the configured default, after
        // the configuration's rules, so a Default of Information or Debug (or a missing appsettings.json) cannot log keys.
        services.PostConfigure<LoggerFilterOptions>(o =>
        {
            foreach (var category in RawPathCategories) o.Rules.Add(new LoggerFilterRule(null, category, LogLevel.Warning, null));
        });
        return services;
    }
}
