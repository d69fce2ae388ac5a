using System.Net;
using DataExchange.IntegrationTests.Hosting;
using DataExchange.IntegrationTests.Pull;
using Npgsql;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Lookup;

/// <summary>
/// Issue 16 (and 14): authentication, subscription and policy resolution cost no database round trip per
/// request, and what another node changes — a revoked key, a revoked subscription — takes effect here
/// within AccessCache:Ttl (1 s), measured on the server's clock.
/// </summary>
[TestFixture]
public sealed class AccessCacheTests
{
    const string DatasetId = PullTestBed.DatasetId;
    PullTestBed _bed = null!;
    int _consumers;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _bed = await PullTestBed.StartAsync("access_cache");
        await _bed.PublishAsync(new { id = "p1", name = "Ann" });
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _bed.DisposeAsync();

    async Task<(ApiClient Consumer, string SubscriptionId)> ConsumerAsync()
    {
        var consumer = await _bed.NewConsumerAsync($"acc{++_consumers}");
        return (consumer, await _bed.SubscribeAsync(consumer, new { }));
    }

    async Task ExecuteAsync(string sql, params object[] args)
    {
        await using var conn = new NpgsqlConnection(_bed.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        foreach (var a in args) cmd.Parameters.Add(new NpgsqlParameter { Value = a });
        await cmd.ExecuteNonQueryAsync();
    }

    [Test]
    public async Task ALookup_ReadsNeitherKeysNorSubscriptionsNorDatasets_OnceTheyAreKnown()
    {
        var (consumer, _) = await ConsumerAsync();
        Assert.That((await consumer.GetAsync(DatasetId, "p1")).Status, Is.EqualTo(HttpStatusCode.OK));

        // Another session holds the tables authentication and decisions read: a request that read them would wait.
        await using var blocker = new NpgsqlConnection(_bed.ConnectionString);
        await blocker.OpenAsync();
        await using var tx = await blocker.BeginTransactionAsync();
        await using (var lockTables = new NpgsqlCommand("lock table dx.api_clients, dx.subscriptions, dx.datasets in access exclusive mode", blocker, tx))
            await lockTables.ExecuteNonQueryAsync();
        var lookup = consumer.GetAsync(DatasetId, "p1");
        var answered = await Task.WhenAny(lookup, Task.Delay(TimeSpan.FromSeconds(30))) == lookup;
        await tx.RollbackAsync();
        Assert.That(answered, Is.True, "the lookup waited for the locked tables");
        Assert.That((await lookup).Status, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task ASubscriptionRevokedOnAnotherNode_IsRefusedWithinTheCacheTtl()
    {
        var (consumer, sub) = await ConsumerAsync();
        Assert.That((await consumer.GetAsync(DatasetId, "p1")).Status, Is.EqualTo(HttpStatusCode.OK));
        // What another API node's revocation leaves behind: the row changed, this node's cache not told.
        await ExecuteAsync("update dx.subscriptions set status = 'revoked' where id = $1", sub);
        _bed.Clock.Advance(TimeSpan.FromSeconds(1));
        var (status, body, _) = await consumer.GetAsync(DatasetId, "p1");
        Assert.That(status, Is.EqualTo(HttpStatusCode.Forbidden), body);
        Assert.That(body, Does.Contain("subscription-revoked"));
    }

    [Test]
    public async Task AKeyRevokedOnAnotherNode_IsRefusedWithinTheCacheTtl()
    {
        var (consumer, _) = await ConsumerAsync();
        Assert.That((await consumer.GetAsync(DatasetId, "p1")).Status, Is.EqualTo(HttpStatusCode.OK));
        DataExchange.Core.Agencies.ApiKeyFormat.TryParse(consumer.Http.DefaultRequestHeaders.Authorization!.Parameter!, out var keyId, out _);
        await ExecuteAsync("update dx.api_clients set revoked_at = now() where id = $1", keyId);
        _bed.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.That((await consumer.GetAsync(DatasetId, "p1")).Status, Is.EqualTo(HttpStatusCode.Unauthorized));
    }
}
