using System.Net;
using DataExchange.Core.Hosting;
using DataExchange.IntegrationTests.Ingestion;
using DataExchange.IntegrationTests.Operations;
using DataExchange.IntegrationTests.Pull;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Faults;

/// <summary>
/// Issue 13, item 6: a streamed pull is on the record before its first byte and completed after it,
/// with the rows handed to the socket. A kill -9 mid-stream had left a client holding 34,682 rows and
/// the audit trail with nothing; the API node here is a separate server process, SIGKILLed.
/// </summary>
[TestFixture, Category("Fault")]
public sealed class StreamedPullTests
{
    /// <summary>Rows of ~1 KB: one chunk (5,000 rows, ~5 MB) is more than the sockets hold in flight (the server's send buffer stops at 4 MiB, the client's receive buffer is 16 KiB).</summary>
    const int Rows = 20_000, ChunkRows = 5000;
    PullTestBed _bed = null!;
    string _connectionString = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _bed = await PullTestBed.StartAsync("streamed-pull");
        _connectionString = _bed.Services.GetRequiredService<DatabaseOptions>().ConnectionString;
        var pad = new string('x', 960);
        await _bed.PublishAsync([.. Enumerable.Range(0, Rows).Select(i => new { id = $"r{i:00000}", name = $"Person {i} {pad}" })]);
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _bed.DisposeAsync();

    /// <summary>A new consumer agency subscribed under a quota far above the dataset, and a streaming client for it on <paramref name="address"/>.</summary>
    async Task<(HttpClient Http, string Subscription)> ConsumerAsync(string agency, Uri address)
    {
        var consumer = await _bed.NewConsumerAsync(agency);
        var subscription = await _bed.SubscribeAsync(consumer, new { dailyRowQuota = 10_000_000 });
        return (StreamedPull.Client(address, consumer.Http.DefaultRequestHeaders.Authorization!.Parameter!), subscription);
    }

    Task<long> EntriesAsync(string agency, string action) =>
        FaultProbe.ScalarAsync(_connectionString, "select count(*) from dx.audit_log where actor_agency = $1 and action = $2", agency, action);

    Task<long> UsageAsync(string subscription) =>
        FaultProbe.ScalarAsync(_connectionString, "select coalesce(sum(rows), 0) from dx.pull_usage where subscription_id = $1", subscription);

    [Test, CancelAfter(180_000)]
    public async Task ServerKilledMidStream_HasRecordedThePull_AndChargedAtLeastTheRowsTheClientGot(CancellationToken cancellationToken)
    {
        var (server, address) = await ServerProcess.StartApiAsync(_connectionString, cancellationToken);
        await using var _ = server;
        var (http, subscription) = await ConsumerAsync("killed", address);
        using var pull = await StreamedPull.StartAsync(http, $"/api/v1/datasets/{PullTestBed.DatasetId}/records?format=ndjson", cancellationToken);
        Assert.That(pull.Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await pull.ReadAsync(ChunkRows + 1000, cancellationToken), Is.Null, "the stream is under way");

        server.Kill();
        // What the kernel still delivers after the kill counts as received too.
        Assert.That(await pull.ReadToEndAsync(cancellationToken), Is.False, "the stream broke off");
        var received = pull.Ids.Count;
        TestContext.Out.WriteLine($"received {received} of {Rows} rows; charged {await UsageAsync(subscription)}");
        Assert.Multiple(async () =>
        {
            Assert.That(received, Is.InRange(ChunkRows + 1000, Rows - 1));
            Assert.That(await EntriesAsync("killed", "pull-started"), Is.EqualTo(1), "the pull was on the record before its first byte");
            Assert.That(await UsageAsync(subscription), Is.GreaterThanOrEqualTo(received), "the quota was charged for every row that left, chunk by chunk");
        });
    }

    [Test, CancelAfter(180_000)]
    public async Task ClientGoneMidStream_IsAuditedAsInterrupted_WithTheRowsHandedOver(CancellationToken cancellationToken)
    {
        var (server, address) = await ServerProcess.StartApiAsync(_connectionString, cancellationToken);
        await using var _ = server;
        var (http, subscription) = await ConsumerAsync("gone", address);
        int received;
        using (var pull = await StreamedPull.StartAsync(http, $"/api/v1/datasets/{PullTestBed.DatasetId}/records?format=ndjson", cancellationToken))
        {
            Assert.That(await pull.ReadAsync(ChunkRows + 1000, cancellationToken), Is.Null, "the stream is under way");
            received = pull.Ids.Count;
        }

        while (await EntriesAsync("gone", "pull-interrupted") == 0) await Task.Delay(100, cancellationToken);
        var rows = await FaultProbe.ScalarAsync(_connectionString,
            "select (details->>'rows')::bigint from dx.audit_log where actor_agency = 'gone' and action = 'pull-interrupted'");
        TestContext.Out.WriteLine($"received {received} rows; audited {rows} as handed over");
        Assert.Multiple(async () =>
        {
            Assert.That(rows, Is.InRange(received, received + ChunkRows), "the rows flushed to the socket: what the client read, plus at most what was in flight");
            Assert.That(await EntriesAsync("gone", "pull-started"), Is.EqualTo(1));
            Assert.That(await EntriesAsync("gone", "records-pulled"), Is.Zero, "an interrupted pull is not recorded as complete");
            Assert.That(await UsageAsync(subscription), Is.EqualTo(rows), "the quota keeps the rows handed over and gets the rest of the reservation back");
        });
    }

    [Test, CancelAfter(180_000)]
    public async Task StreamsReadToTheEnd_AreRecordedBeforeAndCompletedAfter([Values("records", "changes")] string list, CancellationToken cancellationToken)
    {
        var (server, address) = await ServerProcess.StartApiAsync(_connectionString, cancellationToken);
        await using var _ = server;
        var agency = "whole-" + list;
        var (http, subscription) = await ConsumerAsync(agency, address);
        using var pull = await StreamedPull.StartAsync(http, $"/api/v1/datasets/{PullTestBed.DatasetId}/{list}?format=ndjson", cancellationToken);
        Assert.That(await pull.ReadToEndAsync(cancellationToken), Is.True);

        var completed = list == "records" ? "records-pulled" : "changes-pulled";
        var started = await FaultProbe.ScalarAsync(_connectionString, "select seq from dx.audit_log where actor_agency = $1 and action = 'pull-started'", agency);
        var end = await FaultProbe.ScalarAsync(_connectionString, "select seq from dx.audit_log where actor_agency = $1 and action = $2", agency, completed);
        Assert.Multiple(async () =>
        {
            Assert.That(pull.Ids, Has.Count.EqualTo(Rows).And.Unique, "every row exactly once across the chunks");
            Assert.That(pull.Ids, Is.Ordered.Using<string>(string.CompareOrdinal));
            Assert.That(started, Is.Positive.And.LessThan(end), "started, then completed");
            Assert.That(await FaultProbe.ScalarAsync(_connectionString, "select (details->>'rows')::bigint from dx.audit_log where seq = $1", end), Is.EqualTo(Rows));
            Assert.That(await FaultProbe.ScalarAsync(_connectionString, "select (details->>'started')::bigint from dx.audit_log where seq = $1", end), Is.EqualTo(started),
                "the completion names the entry it completes");
            Assert.That(await UsageAsync(subscription), Is.EqualTo(Rows));
        });
    }
}
