using DataExchange.Core.Hosting;

namespace DataExchange.Server.Demo;

/// <summary>The demo (<c>--demo</c>): seeded once the server listens, then announced with its URLs and admin key.</summary>
public static class DemoBanner
{
    /// <summary>Seeds the demo from <paramref name="samples"/> after start-up and prints where to look; the server is up meanwhile.</summary>
    public static void SeedAndAnnounceDemo(this WebApplication app, string samples, EmbeddedPostgres? embedded) =>
        app.Lifetime.ApplicationStarted.Register(() => _ = Task.Run(async () =>
        {
            var url = app.Urls.FirstOrDefault() ?? "http://127.0.0.1:5080";
            var credentialsPath = Path.Combine(Path.GetTempPath(), "dataexchange-demo-credentials.json");
            var credentials = await app.Services.GetRequiredService<DemoSeeder>().SeedAsync(samples, url, credentialsPath, app.Lifetime.ApplicationStopping);
            System.Console.WriteLine($"""

                DataExchange demo is running.
                  API:        {url}/api/v1   (OpenAPI: {url}/openapi/v1.json)
                  Console:    {url}/console  (sign in with any key below)
                  Dashboard:  {url}/hangfire (admins)
                  Admin key:  {credentials.AdminKey}
                  All keys:   {credentialsPath}
                  Database:   {(embedded is null ? "configured connection string" : $"embedded PostgreSQL on 127.0.0.1:{embedded.Port} ({embedded.DataDirectory})")}
                Try:  curl -H "Authorization: Bearer {credentials.AdminKey}" {url}/api/v1/datasets
                Press Ctrl+C to stop{(embedded is null ? "" : " (the embedded PostgreSQL stops with it)")}.
                """);
        }));
}
