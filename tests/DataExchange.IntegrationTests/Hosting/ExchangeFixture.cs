using Microsoft.Extensions.Logging;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Hosting;

/// <summary>
/// The start every fixture on a database of its own shares: the server in the test host (<see cref="Factory"/>)
/// and the operator admin (<see cref="Admin"/>), created once for the fixture and disposed after it. A fixture
/// adds its agencies and keys in its own [OneTimeSetUp], which NUnit runs after this one; nothing runs per test.
/// Extra <c>settings</c> override the server's configuration; <c>logs</c>, when given, receives its every log entry.
/// </summary>
public abstract class ExchangeFixture(string databasePrefix, IDictionary<string, string?>? settings = null, ILoggerProvider? logs = null)
{
    /// <summary>The server, on a new database named after <c>databasePrefix</c>.</summary>
    protected ExchangeFactory Factory { get; private set; } = null!;

    /// <summary>The operator admin (admin and auditor) that bootstrapped the database.</summary>
    protected ApiClient Admin { get; private set; } = null!;

    /// <summary>Starts the server and bootstraps its admin.</summary>
    [OneTimeSetUp]
    public async Task StartExchangeAsync()
    {
        Factory = new ExchangeFactory(await TestCluster.CreateDatabaseAsync(databasePrefix), settings, logs);
        Admin = await Factory.BootstrapAdminAsync();
    }

    /// <summary>Stops the server and deletes its drop folder.</summary>
    [OneTimeTearDown]
    public void StopExchange() => Factory?.Dispose();
}
