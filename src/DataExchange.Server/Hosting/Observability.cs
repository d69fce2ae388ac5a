using DataExchange.Core.Common;
using DataExchange.Core.Ingestion;
using Microsoft.Extensions.Options;
using Npgsql;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace DataExchange.Server.Hosting;

/// <summary>
/// Metrics and traces through OpenTelemetry: the exchange's own meter (<see cref="Telemetry.Name"/>),
/// Hangfire's counts, ASP.NET Core, HttpClient and Npgsql (pool and commands). Metrics are scraped from
/// <c>/metrics</c> (Prometheus text); both signals are also sent by OTLP when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (the exporter reads the other <c>OTEL_*</c> variables itself).
/// </summary>
public static class Observability
{
    /// <summary>The authorisation policy of <c>/metrics</c>.</summary>
    const string MetricsPolicy = "metrics";

    /// <summary>Adds the meter and tracer providers, and the <c>/metrics</c> policy.</summary>
    public static IServiceCollection AddExchangeTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<MetricsOptions>().Bind(configuration.GetSection("Metrics"))
            .Validate(o => o.Port is null or > 0 and < 65536, "Metrics:Port must be a TCP port.")
            .ValidateOnStart();
        services.AddSingleton<HangfireMetrics>();
        services.AddAuthorizationBuilder().AddPolicy(MetricsPolicy, p => p.RequireAssertion(c => c.Resource is HttpContext http && MayScrape(http)));
        var otlp = !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("dataexchange"))
            .WithMetrics(m =>
            {
                m.AddMeter(Telemetry.Name, IngestionMetrics.MeterName).AddInstrumentation(p => p.GetRequiredService<HangfireMetrics>())
                    .AddAspNetCoreInstrumentation().AddHttpClientInstrumentation().AddNpgsqlInstrumentation()
                    // 0: a scrape right after a run sees it (the exporter's default caches an answer for 300 ms).
                    .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0);
                if (otlp) m.AddOtlpExporter();
            })
            .WithTracing(t =>
            {
                // The exchange's own spans carry a job's trace context into its log lines (TraceContextFilter) and are always on.
                // Request, HttpClient and Npgsql spans are only made when they are exported: with no exporter they were an
                // Activity and its tags per request and per SQL command that no one read (issue 16: a lookup makes three).
                t.AddSource(Telemetry.Name);
                if (otlp) t.AddAspNetCoreInstrumentation().AddHttpClientInstrumentation().AddNpgsql().AddOtlpExporter();
            });
        return services;
    }

    /// <summary>The API's URLs, plus the metrics listener when <see cref="MetricsOptions.Port"/> is set.</summary>
    public static string ListenUrls(string apiUrls, IConfiguration configuration) =>
        configuration.GetSection("Metrics").Get<MetricsOptions>()?.Url is { } metrics ? $"{apiUrls};{metrics}" : apiUrls;

    /// <summary>
    /// On <see cref="MetricsOptions.Port"/> only <c>/metrics</c> answers: the rest of the pipeline (API, console,
    /// dashboard) is never reached there. First in the pipeline.
    /// </summary>
    public static void UseExchangeMetricsPort(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<MetricsOptions>>().Value.Port is not { } port) return;
        app.Use((http, next) =>
        {
            if (http.Connection.LocalPort != port || http.Request.Path == "/metrics") return next(http);
            http.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        });
    }

    /// <summary>Maps <c>/metrics</c>: on the API port for the operator's admins, on <see cref="MetricsOptions.Port"/> without a key.</summary>
    public static void MapExchangeMetrics(this WebApplication app) =>
        app.MapPrometheusScrapingEndpoint("/metrics").RequireAuthorization(MetricsPolicy);

    static bool MayScrape(HttpContext http)
    {
        var port = http.RequestServices.GetRequiredService<IOptions<MetricsOptions>>().Value.Port;
        if (port is not null && http.Connection.LocalPort == port) return true;
        return http.User.Identity?.IsAuthenticated == true && http.User.IsInRole(Role.Admin) && http.User.FindFirst("agency")?.Value == Caller.OperatorAgency;
    }
}
