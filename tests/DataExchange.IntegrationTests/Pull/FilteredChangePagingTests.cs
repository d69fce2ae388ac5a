using NUnit.Framework;

namespace DataExchange.IntegrationTests.Pull;

/// <summary>Issue 13, item 2: change-feed pages count only the rows the consumer's row filter shows.</summary>
[TestFixture]
public sealed class FilteredChangePagingTests
{
    PullTestBed _bed = null!;
    Hosting.ApiClient _consumer = null!;

    // 40 people, every fifth in Guangzhou (the filter): 8 visible. Version 2 ages everyone by one,
    // moves p05 out of Guangzhou and p06 into it.
    static object Person(int i, int age, string city) => new { id = $"p{i:00}", name = $"N{i}", age, city };
    static string CityAt(int i, int version) => (i, version) switch
    {
        (5, 2) => "Shenzhen",
        (6, 2) => "Guangzhou",
        _ => i % 5 == 0 ? "Guangzhou" : "Shenzhen",
    };

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _bed = await PullTestBed.StartAsync("filtered-changes");
        await _bed.PublishAsync([.. Enumerable.Range(1, 40).Select(i => Person(i, 20 + i, CityAt(i, 1)))]);
        await _bed.PublishAsync([.. Enumerable.Range(1, 40).Select(i => Person(i, 21 + i, CityAt(i, 2)))]);
        _consumer = await _bed.NewConsumerAsync("con");
        await _bed.SubscribeAsync(_consumer, new { filters = new[] { new { field = "city", equals = "Guangzhou" } } });
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _bed.DisposeAsync();

    async Task<List<List<(string Op, string Key)>>> PagesAsync(int since)
    {
        var pages = new List<List<(string, string)>>();
        string? after = null;
        do
        {
            var page = await _consumer.GetAsync($"/api/v1/datasets/{PullTestBed.DatasetId}/changes?since={since}&limit=1" + (after is null ? "" : "&after=" + after));
            pages.Add([.. page["items"]!.AsArray().Select(i => (i!["op"]!.GetValue<string>(), i["key"]!.GetValue<string>()))]);
            after = page["next"]?.GetValue<string>();
            Assert.That(pages, Has.Count.LessThanOrEqualTo(40), "paging must end");
        } while (after is not null);
        return pages;
    }

    [Test]
    public async Task PagingTheChangeFeedWithLimit1_VisitsExactlyTheVisibleRows_OnePerPage()
    {
        var pages = await PagesAsync(since: 0);
        var visible = Enumerable.Range(1, 40).Where(i => CityAt(i, 2) == "Guangzhou").Select(i => $"p{i:00}").ToList();
        Assert.That(pages.Select(p => p.Count), Has.All.EqualTo(1), "no page is spent on filtered-out rows");
        Assert.That(pages.Select(p => p[0].Key), Is.EqualTo(visible));
    }

    [Test]
    public async Task PagingChangesBetweenVersions_ShowsALeavingRowAsADelete_AndNeverARowTheConsumerNeverSaw()
    {
        var changes = (await PagesAsync(since: 1)).SelectMany(p => p).ToList();
        var expected = Enumerable.Range(1, 40).Where(i => CityAt(i, 1) == "Guangzhou" || CityAt(i, 2) == "Guangzhou")
            .Select(i => (i switch { 5 => "delete", 6 => "insert", _ => "update" }, $"p{i:00}")).ToList();
        Assert.That(changes, Is.EqualTo(expected));
    }

    [Test]
    public async Task AJsonPageOfChanges_HoldsTheLimitOfVisibleRows()
    {
        var page = await _consumer.GetAsync($"/api/v1/datasets/{PullTestBed.DatasetId}/changes?since=0&limit=3");
        Assert.That(page["items"]!.AsArray(), Has.Count.EqualTo(3));
        Assert.That(page["items"]!.AsArray().Select(i => i!["key"]!.GetValue<string>()), Is.EqualTo(new[] { "p06", "p10", "p15" }));
    }
}
