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

    /// <summary>
    /// A lookup (or a CKAN datastore_search) sent with an Idempotency-Key had its answer — the records — stored for 24 h
    /// and replayed: after the subscription was revoked, the same request still got the record, with no access decision
    /// and no audit entry, and dx.idempotency_keys held a copy of the data. Only creates (201, 202) are replayed now; a
    /// retried read is decided and audited again.
    /// </summary>
    [Test]
    public async Task AnIdempotentReplay_OfALookupOrADatastoreSearch_IsDecidedAgain_AndKeepsNoCopyOfTheRecords()
    {
        var consumer = Client(Keys[(C, "consumer")]);
        var sub = (await consumer.PostAsync("/api/v1/subscriptions", new { datasetId = DatasetId, purpose = "replay probe" }))["id"]!.GetValue<string>();
        await Client(Keys[(A, "steward")]).PostAsync($"/api/v1/subscriptions/{sub}/approval", new { policy = new { } }, HttpStatusCode.OK);
        var lookup = ($"/api/v1/datasets/{DatasetId}/lookups", (object)new { keys = new[] { "1" }, purpose = "replay probe" });
        var search = ("/api/3/action/datastore_search", (object)new { resource_id = DatasetId });
        foreach (var (path, body) in new[] { lookup, search })
        {
            var (status, answer) = await PostWithIdempotencyKeyAsync(consumer.Key!, path, body, "replay-" + path);
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK), answer);
            Assert.That(answer, Does.Contain("Li Lei"), path);
        }
        await using (var conn = new Npgsql.NpgsqlConnection(ConnectionString))
        {
            await conn.OpenAsync();
            await using var copies = new Npgsql.NpgsqlCommand("select count(*) from dx.idempotency_keys where strpos(convert_from(body, 'UTF8'), 'Li Lei') > 0", conn);
            Assert.That(await copies.ExecuteScalarAsync(), Is.Zero, "the records were kept as idempotent answers");
        }

        var (revoked, _, _) = await Client(Keys[(A, "steward")]).SendAsync(HttpMethod.Delete, $"/api/v1/subscriptions/{sub}");
        Assert.That(revoked, Is.EqualTo(HttpStatusCode.OK));
        var head = await AuditHeadAsync();
        foreach (var (path, body) in new[] { lookup, search })
        {
            var (status, answer) = await PostWithIdempotencyKeyAsync(consumer.Key!, path, body, "replay-" + path);
            Assert.That(status, Is.EqualTo(HttpStatusCode.Forbidden), $"{path} replayed after the revocation: {answer}");
            Assert.That(answer, Does.Not.Contain("Li Lei"));
        }
        await using (var conn = new Npgsql.NpgsqlConnection(ConnectionString))
        {
            await conn.OpenAsync();
            await using var refused = new Npgsql.NpgsqlCommand("select array_agg(action order by seq) from dx.audit_log where seq > $1 and actor_client = $2 and outcome = 'denied'", conn)
            {
                Parameters = { new() { Value = head }, new() { Value = consumer.Key!.Split('_')[1] } },
            };
            var actions = (string[])(await refused.ExecuteScalarAsync())!;
            Assert.That(actions, Has.Length.EqualTo(2), "both refusals are on the record, once each: " + string.Join(", ", actions));
        }
    }

    /// <summary>
    /// The refusal audit covered /api only: a consumer's key probing /metrics, or an agency admin's the jobs dashboard,
    /// was refused (403) without a trace. Each is now one request-refused entry naming the caller, before the answer.
    /// </summary>
    [Test]
    public async Task RefusalsOfMetricsAndTheJobsDashboard_AreOnTheRecord()
    {
        foreach (var (caller, path) in new[] { ((B, "consumer"), "/metrics"), ((C, "admin"), "/hangfire/recurring"), ((A, "steward"), "/hangfire") })
        {
            var head = await AuditHeadAsync();
            using var http = Factory.CreateClient();
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Authorization = new("Bearer", Keys[caller]);
            using var response = await http.SendAsync(request);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), path);
            await using var conn = new Npgsql.NpgsqlConnection(ConnectionString);
            await conn.OpenAsync();
            await using var cmd = new Npgsql.NpgsqlCommand("""
                select count(*) from dx.audit_log where seq > $1 and action = 'request-refused' and actor_client = $2 and target = $3 and details ->> 'status' = '403'
                """, conn) { Parameters = { new() { Value = head }, new() { Value = Keys[caller].Split('_')[1] }, new() { Value = path } } };
            Assert.That(await cmd.ExecuteScalarAsync(), Is.EqualTo(1L), $"{caller} on {path}");
        }
    }

    /// <summary>
    /// The console's refusals (403 pages) were not audited: a consumer signed in to the console could try every
    /// steward's and auditor's page without a trace. Each refused page is now one request-refused entry.
    /// </summary>
    [Test]
    public async Task RefusedConsolePages_AreOnTheRecord()
    {
        var key = Keys[(B, "consumer")];
        using var http = Factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var signInPage = await http.GetStringAsync("/console/signin");
        var token = FormToken().Match(signInPage).Groups[1].Value;
        var signedIn = await http.PostAsync("/console/signin", new FormUrlEncodedContent([new("key", key), new("__RequestVerificationToken", token)]));
        Assert.That(signedIn.StatusCode, Is.EqualTo(HttpStatusCode.Redirect), await signedIn.Content.ReadAsStringAsync());

        // The jobs dashboard through the console's session (which the API's key scheme does not read): refused, and the caller named.
        var dashboardHead = await AuditHeadAsync();
        using (var dashboard = await http.GetAsync("/hangfire"))
            Assert.That(dashboard.StatusCode, Is.AnyOf(HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden));
        await using (var conn = new Npgsql.NpgsqlConnection(ConnectionString))
        {
            await conn.OpenAsync();
            await using var named = new Npgsql.NpgsqlCommand("select count(*) from dx.audit_log where seq > $1 and action = 'request-refused' and actor_client = $2 and target = '/hangfire'", conn)
            {
                Parameters = { new() { Value = dashboardHead }, new() { Value = key.Split('_')[1] } },
            };
            Assert.That(await named.ExecuteScalarAsync(), Is.EqualTo(1L), "the dashboard's refusal names the console's caller");
        }

        foreach (var (path, route) in new[]
        {
            ($"/console/datasets/{DatasetId}/runs/{RunId}/rejected", "/console/datasets/{id}/runs/{runId:long}/rejected"),
            ("/console/audit", "/console/audit"),
        })
        {
            var head = await AuditHeadAsync();
            using var response = await http.GetAsync(path);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), path);
            await using var conn = new Npgsql.NpgsqlConnection(ConnectionString);
            await conn.OpenAsync();
            await using var cmd = new Npgsql.NpgsqlCommand("""
                select count(*) from dx.audit_log where seq > $1 and action = 'request-refused' and actor_client = $2 and target = $3
                  and details ->> 'route' = $4 and details ->> 'status' = '403' and dataset_id is not distinct from $5
                """, conn)
            {
                Parameters =
                {
                    new() { Value = head }, new() { Value = key.Split('_')[1] }, new() { Value = path }, new() { Value = route },
                    new() { Value = path.Contains(DatasetId, StringComparison.Ordinal) ? DatasetId : DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text },
                },
            };
            var found = await cmd.ExecuteScalarAsync();
            await using var all = new Npgsql.NpgsqlCommand("select coalesce(string_agg(concat_ws(' ', action, target, dataset_id, details::text), E'\n'), '') from dx.audit_log where seq > $1", conn)
            {
                Parameters = { new() { Value = head } },
            };
            Assert.That(found, Is.EqualTo(1L), $"{path}: {await all.ExecuteScalarAsync()}");
        }
    }

    /// <summary>
    /// Any key — a consumer of an agency with no subscription — read every dataset's runs (counts, payload SHA-256, failure
    /// messages that may quote source data) and its feed definition (source URL), in the API and in the catalogue entry.
    /// Now the owner's stewards, admins and auditors and the operator's admins and auditors read them; anyone else gets
    /// 403 not-owner, one request-refused entry each, and the catalogue entry without its feed.
    /// </summary>
    [Test]
    public async Task RunsAndTheFeed_AreTheOwnersAndTheOperators_AndAnotherAgencysRefusalIsOnTheRecord()
    {
        var paths = new[] { $"/api/v1/datasets/{DatasetId}/runs", $"/api/v1/datasets/{DatasetId}/runs/{RunId}", $"/api/v1/datasets/{DatasetId}/feed" };
        foreach (var caller in new[] { (C, "consumer"), (B, "consumer"), (A, "consumer"), (C, "steward"), (C, "admin") })
        {
            var key = Keys[caller];
            foreach (var path in paths)
            {
                var head = await AuditHeadAsync();
                var (status, answer, _) = await Client(key).SendAsync(HttpMethod.Get, path);
                var body = answer?.ToJsonString() ?? "";
                Assert.That(status, Is.EqualTo(HttpStatusCode.Forbidden), $"{caller} {path}: {body}");
                Assert.That(body, Does.Not.Contain($"{A}/people.csv").And.Not.Contain("payloadSha256"), $"{caller} {path}");
                await using var conn = new Npgsql.NpgsqlConnection(ConnectionString);
                await conn.OpenAsync();
                await using var cmd = new Npgsql.NpgsqlCommand("""
                    select count(*) from dx.audit_log where seq > $1 and action = 'request-refused' and actor_client = $2 and target = $3
                      and details ->> 'status' = '403' and dataset_id = $4
                    """, conn)
                {
                    Parameters = { new() { Value = head }, new() { Value = key.Split('_')[1] }, new() { Value = path }, new() { Value = DatasetId } },
                };
                Assert.That(await cmd.ExecuteScalarAsync(), Is.EqualTo(1L), $"{caller} {path}: the refusal is not on the record");
            }
            var entry = await Client(key).GetAsync($"/api/v1/datasets/{DatasetId}");
            Assert.That(entry["id"]!.GetValue<string>(), Is.EqualTo(DatasetId));
            Assert.That(entry["feed"], Is.Null, $"{caller} read the feed in the catalogue entry: {entry.ToJsonString()}");
        }

        foreach (var caller in new[] { (A, "steward"), (A, "admin"), (A, "auditor"), (Operator, "admin"), (Operator, "auditor") })
        {
            var client = Client(Keys[caller]);
            var runs = (await client.GetAsync(paths[0]))["items"]!.AsArray();
            Assert.That(runs.Select(r => r!["id"]!.GetValue<string>()), Does.Contain(RunId), caller.ToString());
            Assert.That((await client.GetAsync(paths[1]))["id"]!.GetValue<string>(), Is.EqualTo(RunId), caller.ToString());
            Assert.That((await client.GetAsync(paths[2]))["source"]!.GetValue<string>(), Is.EqualTo($"file:{A}/people.csv"), caller.ToString());
            Assert.That((await client.GetAsync($"/api/v1/datasets/{DatasetId}"))["feed"]!["source"]!.GetValue<string>(), Is.EqualTo($"file:{A}/people.csv"), caller.ToString());
        }
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex FormToken();

    async Task<long> AuditHeadAsync()
    {
        await using var conn = new Npgsql.NpgsqlConnection(ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new Npgsql.NpgsqlCommand("select coalesce(max(seq), 0) from dx.audit_log", conn);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    async Task<(HttpStatusCode Status, string Body)> PostWithIdempotencyKeyAsync(string key, string path, object body, string idempotencyKey)
    {
        using var http = Factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = System.Net.Http.Json.JsonContent.Create(body) };
        request.Headers.Authorization = new("Bearer", key);
        request.Headers.Add("Idempotency-Key", idempotencyKey);
        using var response = await http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
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
