using System.Net;
using System.Net.Http.Json;
using DataExchange.IntegrationTests.Hosting;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Api;

/// <summary>API.md: an Idempotency-Key makes a retried create return the first result.</summary>
[TestFixture]
public sealed class IdempotencyTests() : ExchangeFixture("idempotency")
{
    HttpClient _http = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _http = Factory.CreateClient();
        _http.DefaultRequestHeaders.Authorization = new("Bearer", Admin.Key);
    }

    [Test]
    public async Task RetriedCreate_WithTheSameKey_ReturnsTheFirstResult_AndCreatesOnce()
    {
        var first = await PostAsync("agency-1", new { code = "gd-tax", name = "Tax" });
        var retry = await PostAsync("agency-1", new { code = "gd-tax", name = "Tax" });
        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        Assert.That(retry.StatusCode, Is.EqualTo(HttpStatusCode.Created), "not 409: the retry is answered from the first result");
        Assert.That(retry.Headers.GetValues("Idempotent-Replayed"), Is.EqualTo(new[] { "true" }));
        Assert.That(retry.Headers.Location, Is.EqualTo(first.Headers.Location));
        Assert.That(await retry.Content.ReadAsStringAsync(), Is.EqualTo(await first.Content.ReadAsStringAsync()));

        var withoutKey = await _http.PostAsJsonAsync("/api/v1/agencies", new { code = "gd-tax", name = "Tax" });
        Assert.That(withoutKey.StatusCode, Is.EqualTo(HttpStatusCode.Conflict), "only one agency was created");
    }

    [Test]
    public async Task SameKey_OnADifferentRequest_IsRefused()
    {
        Assert.That((await PostAsync("agency-2", new { code = "gd-edu", name = "Education" })).StatusCode, Is.EqualTo(HttpStatusCode.Created));
        var reused = await PostAsync("agency-2", new { code = "gd-hlt", name = "Health" });
        Assert.That(reused.StatusCode, Is.EqualTo(HttpStatusCode.UnprocessableEntity));
    }

    [Test]
    public async Task FailedRequest_ReleasesItsKey_SoACorrectedRetryRuns()
    {
        Assert.That((await PostAsync("agency-3", new { code = "BAD CODE", name = "x" })).StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        var again = await PostAsync("agency-3", new { code = "BAD CODE", name = "x" });
        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), "a failure is not stored, so the same request runs again");
    }

    Task<HttpResponseMessage> PostAsync(string key, object body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/agencies") { Content = JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", key);
        return _http.SendAsync(request);
    }
}
