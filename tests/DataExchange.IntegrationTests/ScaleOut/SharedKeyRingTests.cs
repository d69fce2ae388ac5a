using System.Net;
using DataExchange.Core.Hosting;
using DataExchange.IntegrationTests.Console;
using DataExchange.IntegrationTests.Hosting;
using DataExchange.IntegrationTests.Operations;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.ScaleOut;

/// <summary>
/// Issue 13, item 16: two API nodes on one database, as behind a load balancer without sticky
/// sessions. Node A runs in this process, node B is a separate server process with a home folder
/// of its own (as on another machine, where nothing on A's disk is seen). A console session and
/// anti-forgery tokens made on one node are honoured on the other, and the shared key ring in the
/// database holds no key in clear.
/// </summary>
[TestFixture, Category("ScaleOut"), Category(TestCategories.Slow)]
public sealed class SharedKeyRingTests
{
    KestrelExchange _a = null!;
    ServerProcess _b = null!;
    Uri _bAddress = null!;
    DirectoryInfo _bHome = null!;
    string _connectionString = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _a = await KestrelExchange.StartAsync("keyring");
        _connectionString = _a.Factory.Services.GetRequiredService<DatabaseOptions>().ConnectionString;
        _bHome = Directory.CreateTempSubdirectory("dx-node-b-home-");
        var port = ServerProcess.FreePort();
        _bAddress = new Uri($"http://127.0.0.1:{port}");
        _b = ServerProcess.Start(["--urls", _bAddress.ToString(), "--role", "api"], new Dictionary<string, string>
        {
            ["ConnectionStrings__DataExchange"] = _connectionString,
            ["Feeds__DropRoot"] = _a.Factory.DropRoot,
            ["HOME"] = _bHome.FullName,
            ["ASPNETCORE_ENVIRONMENT"] = "Testing",
            ["Logging__LogLevel__Default"] = "Warning",
        });
        using var http = new HttpClient();
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            try
            {
                if ((await http.GetAsync(new Uri(_bAddress, "/health/ready"))).IsSuccessStatusCode) break;
            }
            catch (HttpRequestException) { }
            if (_b.HasExited || DateTime.UtcNow > deadline) Assert.Fail("node B did not start:\n" + string.Join('\n', _b.Lines));
            await Task.Delay(250);
        }
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _b.DisposeAsync();
        _a.Dispose();
        ServerProcess.TryDelete(_bHome);
    }

    [Test]
    public async Task AConsoleSessionFromOneNode_IsHonouredOnTheOther_WithItsAntiForgeryTokens()
    {
        var steward = await _a.KeyAsync("ring", "steward");
        using var browser = new ConsoleHttp();

        // The sign-in form comes from B, the sign-in goes to A.
        var formFromB = await browser.TokenAsync(new Uri(_bAddress, "/console/signin"));
        using (var signIn = await browser.SignInAsync(_a.Address, steward, formFromB))
            Assert.That(signIn.StatusCode, Is.EqualTo(HttpStatusCode.Redirect), "A honours B's anti-forgery token");
        Assert.That(browser.Cookies, Does.ContainKey("dx_console"));

        var (onB, page) = await browser.GetAsync(new Uri(_bAddress, "/console"));
        Assert.That(onB.StatusCode, Is.EqualTo(HttpStatusCode.OK), "B knows the session A signed in");
        Assert.That(page, Does.Contain("Sign out"));

        // A form served by A, posted to B.
        var formFromA = await browser.TokenAsync(new Uri(_a.Address, "/console"));
        using (var forged = await browser.PostFormAsync(new Uri(_bAddress, "/console/signout"), new Dictionary<string, string>()))
            Assert.That(forged.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), "B checks anti-forgery tokens");
        using (var signOut = await browser.PostFormAsync(new Uri(_bAddress, "/console/signout"), new Dictionary<string, string> { ["__RequestVerificationToken"] = formFromA }))
        {
            Assert.That(signOut.StatusCode, Is.EqualTo(HttpStatusCode.Redirect), "B honours A's anti-forgery token");
            Assert.That(signOut.Headers.Location?.ToString(), Is.EqualTo("/console/signin"));
        }
    }

    [Test]
    public async Task TheSharedKeyRing_HoldsNoKeyMaterialInClear()
    {
        // Whatever A uses to protect cookies, exported in clear from its own memory.
        var materials = _a.Factory.Services.GetRequiredService<IKeyManager>().GetAllKeys()
            .Select(k => k.Descriptor.ExportToXml().SerializedDescriptorElement.Descendants("value").Single().Value)
            .ToList();
        Assert.That(materials, Is.Not.Empty);

        await using var conn = new NpgsqlConnection(_connectionString);
        await conn.OpenAsync();
        var rows = new List<string>();
        await using (var cmd = new NpgsqlCommand("select t::text from dx.data_protection_keys t", conn))
        await using (var r = await cmd.ExecuteReaderAsync())
            while (await r.ReadAsync()) rows.Add(r.GetString(0));
        Assert.That(rows, Has.Count.EqualTo(materials.Count), "every key A knows is in the shared ring");
        foreach (var material in materials)
        {
            var hex = Convert.ToHexStringLower(Convert.FromBase64String(material));
            Assert.That(rows, Has.None.Contains(material).And.None.Contains(hex), "no key, as base64 or hex");
        }
        Assert.That(rows, Has.None.Contains("masterKey").And.All.Contains("encryptedSecret"), "each key's descriptor is sealed");
        TestContext.Out.WriteLine($"{rows.Count} sealed key(s); the first: {rows[0][..Math.Min(400, rows[0].Length)]}");
    }
}
