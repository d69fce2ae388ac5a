using System.Net;
using System.Text.RegularExpressions;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Security;

/// <summary>
/// Session 13's attacker's probes with the keys of the security world (A owns sec-a.people, B consumes it, C is
/// unrelated): each test pins a hole that was found open, through the real server and database.
/// </summary>
[TestFixture, Category("Security")]
public sealed partial class AttackerProbeTests : SecurityFixture
{
    const string FeedJob = "feed:" + DatasetId;

    /// <summary>
    /// The Hangfire dashboard showed every agency's jobs and let any agency's admin trigger or delete them: an
    /// admin of C ran A's feed (a run A never asked for, audited as the schedule's). Only the operator's admins
    /// may open it now, like /metrics; the trigger of an operator admin still runs the feed.
    /// </summary>
    [Test]
    public async Task JobsDashboard_IsTheOperatorsAdminsOnly_AndAnAgencyAdminCannotTriggerAnotherAgencysFeed()
    {
        var runsBefore = (await Client(Keys[(A, "steward")]).GetAsync($"/api/v1/datasets/{DatasetId}/runs"))["items"]!.AsArray().Count;
        foreach (var ((agency, role), key) in Keys)
        {
            if ((agency, role) == (Operator, "admin")) continue;
            var (page, trigger) = await TriggerFeedJobAsync(key);
            Assert.That(page.Status, Is.AnyOf(HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden), $"{role}@{agency} opened the dashboard");
            Assert.That(page.Body, Does.Not.Contain(FeedJob), $"{role}@{agency} saw the feed's job");
            Assert.That(trigger, Is.AnyOf(HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden), $"{role}@{agency} triggered {FeedJob}");
        }

        var (operatorPage, operatorTrigger) = await TriggerFeedJobAsync(Keys[(Operator, "admin")]);
        Assert.That(operatorPage.Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(operatorPage.Body, Does.Contain(FeedJob));
        Assert.That(operatorTrigger, Is.EqualTo(HttpStatusCode.NoContent));

        // The operator's trigger makes exactly one run; none of the refused ones made another.
        var steward = Client(Keys[(A, "steward")]);
        var deadline = DateTime.UtcNow.AddMinutes(2);
        System.Text.Json.Nodes.JsonArray runs;
        while ((runs = (await steward.GetAsync($"/api/v1/datasets/{DatasetId}/runs"))["items"]!.AsArray()).Count == runsBefore && DateTime.UtcNow < deadline)
            await Task.Delay(200);
        var scheduled = runs.Take(runs.Count - runsBefore).ToList();
        Assert.That(scheduled, Has.Count.EqualTo(1), runs.ToJsonString());
        Assert.That(scheduled[0]!["trigger"]!.GetValue<string>(), Is.EqualTo("schedule"));
    }

    /// <summary>Opens the dashboard's recurring jobs with <paramref name="key"/>, then posts its trigger of A's feed with whatever anti-forgery token the page gave.</summary>
    async Task<((HttpStatusCode Status, string Body) Page, HttpStatusCode Trigger)> TriggerFeedJobAsync(string key)
    {
        using var http = Factory.CreateClient();
        using var get = new HttpRequestMessage(HttpMethod.Get, "/hangfire/recurring");
        get.Headers.Authorization = new("Bearer", key);
        using var page = await http.SendAsync(get);
        var body = await page.Content.ReadAsStringAsync();
        var token = CsrfToken().Match(body) is { Success: true } m ? m.Groups[1].Value : "";
        using var post = new HttpRequestMessage(HttpMethod.Post, "/hangfire/recurring/trigger")
        {
            Content = new FormUrlEncodedContent([new("jobs[]", FeedJob)]),
        };
        post.Headers.Authorization = new("Bearer", key);
        post.Headers.Add("RequestVerificationToken", token);
        using var trigger = await http.SendAsync(post);
        return ((page.StatusCode, body), trigger.StatusCode);
    }

    [GeneratedRegex("name=\"csrf-token\" content=\"([^\"]*)\"")]
    private static partial Regex CsrfToken();
}
