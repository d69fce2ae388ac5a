using DataExchange.Core.Audit;
using DataExchange.Core.Common;
using DataExchange.Core.Hosting;
using DataExchange.Server.Agencies;
using DataExchange.Server.Audit;
using DataExchange.Server.Catalogue;
using DataExchange.Server.Console;
using DataExchange.Server.Datasets;
using DataExchange.Server.Demo;
using DataExchange.Server.Feeds;
using DataExchange.Server.Hosting;
using DataExchange.Server.Ingestion;
using DataExchange.Server.Lookup;
using DataExchange.Server.Pull;
using DataExchange.Server.Subscriptions;
using Microsoft.AspNetCore.Authentication;

var commandLine = CommandLine.Parse(args);
var builder = WebApplication.CreateBuilder(commandLine.ConfigurationArgs);
var demo = commandLine.Demo;
var roles = ServerRoles.From(builder.Configuration);
builder.WebHost.UseUrls(Observability.ListenUrls(builder.Configuration["urls"] ?? builder.Configuration["ASPNETCORE_URLS"] ?? "http://127.0.0.1:5080", builder.Configuration));
var samples = demo ? DemoSeeder.FindSamples(builder.Configuration) ?? throw new InvalidOperationException("--demo needs the samples/ folder; set Demo:SamplesPath.") : null;
if (samples is not null && builder.Configuration["Feeds:DropRoot"] is null)
    builder.Configuration["Feeds:DropRoot"] = Path.Combine(samples, "feeds");

// JSON bodies are small documents: 16 MiB is generous and keeps a hostile body from filling memory.
// Uploads lift the limit on their own endpoint and are bounded by Feeds:MaxPayloadBytes instead.
builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = builder.Configuration.GetValue<long?>("Server:MaxRequestBodyBytes") ?? 16 * 1024 * 1024);

var (connectionString, embedded) = await DatabaseSetup.ResolveAsync(builder.Configuration, demo);

builder.Services.AddDataExchangeCore(connectionString, builder.Configuration);
builder.Services.AddExchangeHangfire(connectionString, roles);
if (roles.Worker) builder.Services.AddAuditCheckpointWorker();
var authentication = builder.Services.AddAuthentication(ApiKeyAuthentication.SchemeName)
    .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthentication>(ApiKeyAuthentication.SchemeName, null);
builder.Services.AddExchangeConsole(authentication);
builder.Services.AddConsoleLanguage(builder.Configuration);
builder.Services.AddExchangeDataProtection();
builder.Services.AddAuthorization().AddRefusalAudit();
builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = ProblemMapping.Customize).AddExceptionHandler<ProblemMapping>();
builder.Services.ConfigureHttpJsonOptions(o => Json.Configure(o.SerializerOptions));
// Malformed bodies become problem details with the parser's message, in every environment.
builder.Services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
builder.Services.AddExchangeOpenApi();
builder.Services.AddExchangeRateLimiting(builder.Configuration);
builder.Services.AddExchangeHealthChecks();
builder.Services.AddExchangeTelemetry(builder.Configuration);
builder.Services.AddCkan();
builder.Services.AddExchangeLogging(builder.Configuration);
builder.Services.AddSingleton<DemoSeeder>();

var app = builder.Build();
if (embedded is not null) app.Lifetime.ApplicationStopped.Register(embedded.Stop);
await app.Services.GetRequiredService<Migrator>().MigrateAsync();
if (commandLine.BootstrapAdmin)
{
    var exitCode = await app.BootstrapAdminAsync();
    if (embedded is not null) await embedded.DisposeAsync();
    return exitCode;
}
await app.Services.PrepareKeyRingAsync();
app.ScheduleRecurringJobs();

app.UseExchangeMetricsPort();
app.UseHttpLogging();
app.UseConsoleLanguage();
app.UseResponseCompression();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseAuthentication();
app.UseRefusalAudit();
app.UseAuthorization();
app.UseRateLimiter();
app.UseMiddleware<Idempotency>();
app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
app.MapExchangeHealth();
app.MapExchangeMetrics();
app.MapAuditKey();
app.MapEvidenceKey();
if (roles.Api)
{
    var api = app.MapGroup("/api/v1").RequireAuthorization().RequireRateLimiting(RateLimiting.PerClient);
    api.MapAgencies();
    api.MapDatasets();
    api.MapSchemas();
    api.MapSchemaComponents();
    api.MapRuns();
    api.MapFeedHosts();
    api.MapSubscriptions();
    api.MapRecords();
    api.MapLookups();
    api.MapAccess();
    api.MapWebhooks();
    api.MapCatalogue();
    api.MapAudit();
    app.MapCkan();
    app.MapExchangeHangfireDashboard();
    app.MapExchangeConsole();
    app.MapConsoleLanguage();
}

if (samples is not null) app.SeedAndAnnounceDemo(samples, embedded);

try
{
    await app.RunAsync();
}
finally
{
    if (embedded is not null) await embedded.DisposeAsync();
}
return 0;

/// <summary>The server's entry point; public for the integration tests' WebApplicationFactory.</summary>
public partial class Program;
