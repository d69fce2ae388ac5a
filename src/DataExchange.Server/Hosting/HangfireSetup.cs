using DataExchange.Core.Agencies;
using DataExchange.Core.Common;
using DataExchange.Core.Ingestion;
using Hangfire;
using Hangfire.Common;
using Hangfire.Dashboard;
using Hangfire.PostgreSql;

namespace DataExchange.Server.Hosting;

/// <summary>Hangfire on PostgreSQL (schema <c>hangfire</c>), with the settings long ingestion runs need.</summary>
public static class HangfireSetup
{
    /// <summary>Adds Hangfire storage, and a Hangfire server when this process has the worker role.</summary>
    public static IServiceCollection AddExchangeHangfire(this IServiceCollection services, string connectionString, ServerRoles roles)
    {
        TraceContextFilter.Register();
        services.AddHangfire((provider, config) => config
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UsePostgreSqlStorage(o => o.UseNpgsqlConnection(connectionString), new PostgreSqlStorageOptions
            {
                SchemaName = "hangfire",
                // The default polls every 15 s; a "run now" should start within a second.
                QueuePollInterval = TimeSpan.FromMilliseconds(500),
                // Runs of large feeds outlast any fixed timeout; the sliding one is renewed while the job is alive
                // and lets another worker take the job 5 minutes (by default) after its process died.
                UseSlidingInvisibilityTimeout = true,
                // Hangfire:InvisibilityTimeout overrides it (tests that kill a worker use a few seconds).
                InvisibilityTimeout = provider.GetRequiredService<IConfiguration>().GetValue<TimeSpan?>("Hangfire:InvisibilityTimeout") ?? TimeSpan.FromMinutes(5),
                PrepareSchemaIfNecessary = true,
            }));
        if (roles.Worker)
            services.AddHangfireServer((provider, o) =>
            {
                o.WorkerCount = Math.Max(2, Environment.ProcessorCount * 2);
                o.Queues = ["default"];
                o.SchedulePollingInterval = TimeSpan.FromSeconds(1);
                // Hangfire's own filters and attributes, plus the ingestion retries from Ingestion:RetryDelays.
                o.FilterProvider = new JobFilterProviderCollection(JobFilterProviders.Providers, provider.GetRequiredService<IngestionRetryFilterProvider>());
            });
        return services;
    }

    /// <summary>
    /// The exchange's own recurring jobs, in UTC: every node registers them at start (Hangfire keeps one
    /// of each): <c>idempotency-purge</c> hourly, <c>console-sign-in-refusals</c> (audits closed refusal windows) every minute.
    /// </summary>
    public static void ScheduleRecurringJobs(this WebApplication app)
    {
        var jobs = app.Services.GetRequiredService<IRecurringJobManager>();
        var utc = new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc };
        jobs.AddOrUpdate<IdempotencyStore>("idempotency-purge", s => s.PurgeExpiredAsync(CancellationToken.None), Cron.Hourly(), utc);
        jobs.AddOrUpdate<SignInRefusals>("console-sign-in-refusals", s => s.SummariseClosedAsync(CancellationToken.None), Cron.Minutely(), utc);
    }

    /// <summary>The dashboard at /hangfire, for the operator's admins only.</summary>
    public static void MapExchangeHangfireDashboard(this WebApplication app) =>
        app.MapHangfireDashboard("/hangfire", new DashboardOptions { Authorization = [], AsyncAuthorization = [new AdminOnly()], DisplayStorageConnectionString = false, AppPath = "/" });

    /// <summary>
    /// An operator admin's API key, or the web console's session cookie of one. The dashboard shows and drives every
    /// agency's jobs (trigger, delete, requeue) with their arguments and errors, outside the API's per-agency checks, so
    /// an agency's own admin may not open it (as /metrics): one could run or unschedule another agency's feed, unaudited.
    /// </summary>
    sealed class AdminOnly : IDashboardAsyncAuthorizationFilter
    {
        public async Task<bool> AuthorizeAsync(DashboardContext context)
        {
            var http = context.GetHttpContext();
            if (http.User.Identity?.IsAuthenticated == true) return IsOperatorAdmin(http.User);
            return await Console.ConsoleSetup.IsConsoleOperatorAdminAsync(http);
        }
    }

    /// <summary>Whether <paramref name="user"/> holds the admin role in the operator agency.</summary>
    public static bool IsOperatorAdmin(System.Security.Claims.ClaimsPrincipal user) =>
        user.IsInRole(DataExchange.Core.Common.Role.Admin) && user.FindFirst("agency")?.Value == DataExchange.Core.Common.Caller.OperatorAgency;
}
