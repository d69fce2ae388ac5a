using System.Net;
using System.Net.Sockets;
using DataExchange.Core.Agencies;
using Microsoft.Extensions.DependencyInjection;

namespace DataExchange.IntegrationTests.Hosting;

/// <summary>
/// The real server on Kestrel at 127.0.0.1 and a free port, for clients that need a real socket:
/// a browser (Playwright) or the <c>dx</c> process.
/// </summary>
public sealed class KestrelExchange : IDisposable
{
    KestrelExchange(ExchangeFactory factory, Uri address, string adminKey) => (Factory, Address, AdminKey) = (factory, address, adminKey);

    /// <summary>The factory (services, drop root).</summary>
    public ExchangeFactory Factory { get; }

    /// <summary>Where the server listens, e.g. http://127.0.0.1:40123.</summary>
    public Uri Address { get; }

    /// <summary>The operator admin key (admin + auditor).</summary>
    public string AdminKey { get; }

    /// <summary>Starts the server on its own database, bootstraps the admin; <paramref name="settings"/> override configuration.</summary>
    public static async Task<KestrelExchange> StartAsync(string databasePrefix, IDictionary<string, string?>? settings = null)
    {
        var port = FreePort();
        var address = new Uri($"http://127.0.0.1:{port}");
        // "urls" also stops Program from defaulting to port 5080.
        var factory = new ExchangeFactory(await TestCluster.CreateDatabaseAsync(databasePrefix), new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>()) { ["urls"] = address.ToString() });
        factory.UseKestrel(o => o.Listen(IPAddress.Loopback, port));
        factory.StartServer();
        var admin = await factory.Services.GetRequiredService<ApiKeyService>().BootstrapAdminAsync();
        return new KestrelExchange(factory, address, admin!.Key);
    }

    /// <summary>An API client over the real socket with <paramref name="key"/> (anonymous when null).</summary>
    public ApiClient Client(string? key) => new(new HttpClient { BaseAddress = Address }, key);

    /// <summary>Creates an agency (idempotent enough for tests: once per code) and issues a key with <paramref name="roles"/>.</summary>
    public async Task<string> KeyAsync(string agency, params string[] roles)
    {
        var admin = Client(AdminKey);
        var known = (await admin.GetAsync("/api/v1/agencies"))["items"]!.AsArray().Select(a => a!["id"]!.GetValue<string>());
        if (!known.Contains(agency)) await admin.PostAsync("/api/v1/agencies", new { code = agency, name = agency.ToUpperInvariant() + " agency" });
        var issued = await admin.PostAsync($"/api/v1/agencies/{agency}/keys", new { name = string.Join("+", roles), roles });
        return issued["key"]!.GetValue<string>();
    }

    /// <summary>Copies the sample business-licence feed to where its manifest's <c>file:gd-amr/business-licences.csv</c> points.</summary>
    public void DropSampleLicences()
    {
        var target = Path.Combine(Factory.DropRoot, "gd-amr", "business-licences.csv");
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.Copy(Samples.Path("feeds", "gd-amr", "business-licences.csv"), target, overwrite: true);
    }

    /// <inheritdoc />
    public void Dispose() => Factory.Dispose();

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
