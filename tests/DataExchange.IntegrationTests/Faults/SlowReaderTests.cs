using System.Diagnostics;
using System.Net;
using DataExchange.Core.Hosting;
using DataExchange.IntegrationTests.Ingestion;
using DataExchange.IntegrationTests.Operations;
using DataExchange.IntegrationTests.Pull;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Faults;

/// <summary>
/// Issue 13, item 13: about 45 slow-reading streamed pulls from one consumer key took every pooled
/// connection, and other agencies' catalogue requests and /health/ready answered 503 after 15 s. Here
/// the API node is a server process with a pool of 10 connections, and the slow readers read a few
/// bytes and then stall with their socket buffers full.
/// </summary>
[TestFixture, Category("Fault")]
public sealed class SlowReaderTests
{
    /// <summary>~500-byte rows: one stream (~6 MB) is more than the sockets between server and client hold.</summary>
    const int Rows = 12_000, FromOneKey = 46, PerKey = 4, PerAgency = 16;
    const string Agency = "slow";
    static readonly string RecordsPath = $"/api/v1/datasets/{PullTestBed.DatasetId}/records?format=ndjson";
    PullTestBed _bed = null!;
    string _connectionString = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _bed = await PullTestBed.StartAsync("slow-readers");
        _connectionString = _bed.Services.GetRequiredService<DatabaseOptions>().ConnectionString;
        var pad = new string('y', 460);
        await _bed.PublishAsync([.. Enumerable.Range(0, Rows).Select(i => new { id = $"s{i:00000}", name = $"Person {i} {pad}" })]);
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _bed.DisposeAsync();

    [Test, CancelAfter(300_000)]
    public async Task SlowReaders_AreLimitedPerKeyAndAgency_HoldNoConnectionWhileStalled_AndStarveNeitherCatalogueNorHealth(CancellationToken cancellationToken)
    {
        var (server, address) = await ServerProcess.StartApiAsync(_connectionString + ";Maximum Pool Size=10", cancellationToken);
        await using var _ = server;
        var first = await _bed.NewConsumerAsync(Agency);
        await _bed.SubscribeAsync(first, new { });
        var clients = new List<HttpClient> { StreamedPull.Client(address, KeyOf(first)) };
        for (var k = 1; k < 5; k++) clients.Add(StreamedPull.Client(address, KeyOf(await _bed.KeyAsync(Agency, "consumer"))));
        var other = await _bed.NewConsumerAsync("other");
        using var browse = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
        browse.DefaultRequestHeaders.Authorization = new("Bearer", KeyOf(other));

        // 46 at once from one key: 4 stream, the rest are refused at once.
        var oneKey = await Task.WhenAll(Enumerable.Range(0, FromOneKey).Select(_ => StreamedPull.StartAsync(clients[0], RecordsPath, cancellationToken)));
        var streams = oneKey.Where(p => p.Status == HttpStatusCode.OK).ToList();
        var refused = oneKey.Where(p => p.Status != HttpStatusCode.OK).ToList();
        // Three more keys of the agency fill its 16; a fifth key's stream is refused by the agency's limit.
        for (var k = 1; k < 4; k++)
            streams.AddRange(await Task.WhenAll(Enumerable.Range(0, PerKey).Select(_ => StreamedPull.StartAsync(clients[k], RecordsPath, cancellationToken))));
        refused.Add(await StreamedPull.StartAsync(clients[4], RecordsPath, cancellationToken));
        foreach (var stream in streams) await stream.ReadAsync(1, cancellationToken);

        Assert.That(oneKey.Count(p => p.Status == HttpStatusCode.OK), Is.EqualTo(PerKey), "streams of one key at once");
        Assert.That(streams.Select(s => s.Status).ToList(), Has.Count.EqualTo(PerAgency).And.All.EqualTo(HttpStatusCode.OK));
        foreach (var refusal in refused)
        {
            Assert.That(refusal.Status, Is.EqualTo(HttpStatusCode.TooManyRequests));
            Assert.That(refusal.Response.Headers.RetryAfter?.Delta, Is.GreaterThan(TimeSpan.Zero));
            Assert.That(await refusal.Response.Content.ReadAsStringAsync(cancellationToken), Does.Contain("urn:dataexchange:problem:too-many-streams"));
        }
        Assert.That(await FaultProbe.ScalarAsync(_connectionString,
            "select count(*) from dx.audit_log where actor_agency = $1 and action = 'access-denied' and details->>'reason' = 'too-many-streams'", Agency),
            Is.EqualTo(refused.Count), "every refusal is audited");

        // Sixteen streams stalled, more than the pool has connections: another agency browses and the orchestrator probes.
        for (var round = 0; round < 3; round++)
            foreach (var probe in new[] { "/health/ready", "/api/v1/datasets?q=people", $"/api/v1/catalogue/{PullTestBed.DatasetId}" })
            {
                var clock = Stopwatch.StartNew();
                using var response = await browse.GetAsync(probe, cancellationToken);
                TestContext.Out.WriteLine($"{probe}: {(int)response.StatusCode} in {clock.Elapsed.TotalMilliseconds:F0} ms");
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), probe);
                Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)), probe);
            }

        // Resumed, every stream completes with every row exactly once.
        Assert.That(await Task.WhenAll(streams.Select(s => s.ReadToEndAsync(cancellationToken))), Has.All.True);
        foreach (var stream in streams) Assert.That(stream.Ids, Has.Count.EqualTo(Rows).And.Unique);
        foreach (var pull in oneKey.Concat(refused)) pull.Dispose();
    }

    static string KeyOf(Hosting.ApiClient client) => client.Http.DefaultRequestHeaders.Authorization!.Parameter!;
}
