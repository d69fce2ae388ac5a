using DataExchange.Core.Hosting;
using NUnit.Framework;

namespace DataExchange.IntegrationTests;

/// <summary>
/// One private PostgreSQL cluster for the whole test run (root namespace: a SetUpFixture covers its namespace and below) (the same component the server's
/// embedded default uses); each fixture gets its own database in it.
/// </summary>
[SetUpFixture]
public sealed class TestCluster
{
    static EmbeddedPostgres? _cluster;
    static int _databases;

    /// <summary>The running cluster.</summary>
    public static EmbeddedPostgres Cluster => _cluster ?? throw new InvalidOperationException("The test cluster is not running.");

    /// <summary>Starts the cluster (fsync off: test data need not survive a power cut).</summary>
    [OneTimeSetUp]
    public async Task StartAsync() => _cluster = await EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions { Durable = false });

    /// <summary>Stops the cluster and removes its data directory.</summary>
    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_cluster is not null) await _cluster.DisposeAsync();
    }

    /// <summary>A new, empty database; returns its connection string.</summary>
    public static async Task<string> CreateDatabaseAsync(string prefix)
    {
        var name = $"{prefix}_{Interlocked.Increment(ref _databases)}".ToLowerInvariant();
        await Cluster.CreateDatabaseAsync(name);
        return Cluster.ConnectionString(name);
    }
}
