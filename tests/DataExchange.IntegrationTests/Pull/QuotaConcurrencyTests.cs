using System.Net;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Pull;

/// <summary>Issue 13, item 4: the daily row quota holds when pulls overlap (four pulls were served four quotas).</summary>
[TestFixture]
public sealed class QuotaConcurrencyTests
{
    const int Quota = 20;
    PullTestBed _bed = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _bed = await PullTestBed.StartAsync("quota-race");
        await _bed.PublishAsync([.. Enumerable.Range(1, 60).Select(i => new { id = $"p{i:00}", name = $"N{i}" })]);
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _bed.DisposeAsync();

    async Task<Hosting.ApiClient> ConsumerAsync(string code)
    {
        var consumer = await _bed.NewConsumerAsync(code);
        await _bed.SubscribeAsync(consumer, new { dailyRowQuota = Quota });
        return consumer;
    }

    [Test]
    public async Task FourConcurrentJsonPages_ServeAtMostTheQuotaInTotal()
    {
        var consumer = await ConsumerAsync("json");
        var pulls = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => consumer.SendAsync(HttpMethod.Get, $"/api/v1/datasets/{PullTestBed.DatasetId}/records?limit={Quota}")));
        var served = pulls.Where(p => p.Status == HttpStatusCode.OK).Sum(p => p.Body!["items"]!.AsArray().Count);
        Assert.That(served, Is.LessThanOrEqualTo(Quota));
        Assert.That(pulls.Select(p => p.Status), Has.All.EqualTo(HttpStatusCode.OK).Or.EqualTo(HttpStatusCode.TooManyRequests));
        var (after, _, _) = await consumer.SendAsync(HttpMethod.Get, $"/api/v1/datasets/{PullTestBed.DatasetId}/records?limit=1");
        Assert.That(after, Is.EqualTo(HttpStatusCode.TooManyRequests), "the whole quota was handed out and charged, none lost to the race");
    }

    [Test]
    public async Task FourConcurrentStreams_ServeAtMostTheQuotaInTotal()
    {
        var consumer = await ConsumerAsync("ndjson");
        var pulls = await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            using var response = await consumer.Http.GetAsync($"/api/v1/datasets/{PullTestBed.DatasetId}/records?format=ndjson");
            var text = await response.Content.ReadAsStringAsync();
            return response.StatusCode == HttpStatusCode.OK ? text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length : 0;
        }));
        Assert.That(pulls.Sum(), Is.LessThanOrEqualTo(Quota), string.Join(", ", pulls));
        Assert.That(pulls.Sum(), Is.GreaterThan(0));
    }

    [Test]
    public async Task FourConcurrentChangeFeedPages_ServeAtMostTheQuotaInTotal()
    {
        var consumer = await ConsumerAsync("changes");
        var pulls = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => consumer.SendAsync(HttpMethod.Get, $"/api/v1/datasets/{PullTestBed.DatasetId}/changes?since=0&limit={Quota}")));
        var served = pulls.Where(p => p.Status == HttpStatusCode.OK).Sum(p => p.Body!["items"]!.AsArray().Count);
        Assert.That(served, Is.LessThanOrEqualTo(Quota));
    }
}
