using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;

namespace DataExchange.IntegrationTests.Hosting;

/// <summary>
/// The real server (API + Hangfire worker) in the ASP.NET Core test host, on a database of its own
/// and a temp drop folder. Extra settings override configuration; <paramref name="logs"/>, when given, receives every log entry.
/// </summary>
public sealed class ExchangeFactory(string connectionString, IDictionary<string, string?>? settings = null, ILoggerProvider? logs = null) : WebApplicationFactory<Program>
{
    /// <summary>The server's database (as the superuser).</summary>
    public string ConnectionString { get; } = connectionString;

    /// <summary>The drop root of <c>file:</c> feeds, deleted on dispose.</summary>
    public string DropRoot { get; } = Directory.CreateTempSubdirectory("dx-drop-").FullName;

    /// <summary>The path of <paramref name="name"/> in <paramref name="agency"/>'s drop folder (created), where its <c>file:&lt;agency&gt;/&lt;name&gt;</c> sources read.</summary>
    public string DropFile(string agency, string name) => Path.Combine(Directory.CreateDirectory(Path.Combine(DropRoot, agency)).FullName, name);

    /// <inheritdoc />
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("ConnectionStrings:DataExchange", ConnectionString);
        builder.UseSetting("Feeds:DropRoot", DropRoot);
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) builder.UseSetting(key, value);
        if (logs is not null) builder.ConfigureLogging(l => l.AddProvider(logs));
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing && Directory.Exists(DropRoot)) Directory.Delete(DropRoot, recursive: true);
    }
}
