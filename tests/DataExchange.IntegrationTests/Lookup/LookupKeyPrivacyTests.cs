using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using DataExchange.IntegrationTests.Hosting;
using DataExchange.IntegrationTests.Operations;
using Npgsql;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Lookup;

/// <summary>
/// Issue 16: a looked-up key is a person's or a company's identifier, so it stays out of the server's logs
/// and the audit log — found, not found, refused, batched or signed. The real server process runs with the
/// shipped log levels and its own categories at Debug; afterwards neither its output nor any column of
/// dx.audit_log holds a key in clear, while both show the lookups happened (route template, hashed subjects).
/// </summary>
[TestFixture]
public sealed class LookupKeyPrivacyTests
{
    // Distinctive keys: any occurrence in the output or the log is a leak, not a coincidence.
    const string Found = "ZQ55501FOUNDKEY";
    const string Absent = "ZQ55502ABSENTKEY";
    const string Refused = "ZQ55503REFUSEDKEY";
    const string Batched = "ZQ55504BATCHKEY";
    const string Unauthenticated = "ZQ55505NOKEYKEY";
    static readonly string[] Keys = [Found, Absent, Refused, Batched, Unauthenticated];

    [Test, CancelAfter(300_000)]
    public async Task LookedUpKeys_AppearNeitherInTheServersOutput_NorInTheAuditLog(CancellationToken cancellationToken)
    {
        var database = await TestCluster.CreateDatabaseAsync("lookup_privacy");
        var environment = new Dictionary<string, string> { ["ConnectionStrings__DataExchange"] = database, ["ASPNETCORE_ENVIRONMENT"] = "Testing" };
        var adminKey = await ServerProcess.BootstrapAdminAsync(environment, cancellationToken);
        // The shipped levels (request lines by HttpLogging), the exchange's own categories and Npgsql at Debug.
        var (server, url) = await ServerProcess.StartListeningAsync(["--Logging:LogLevel:Default=Debug"], environment, cancellationToken);
        await using var running = server;

        using var http = new HttpClient { BaseAddress = new Uri(url) };
        var admin = new ApiClient(http, adminKey);
        await admin.PostAsync("/api/v1/agencies", new { code = "lkp", name = "Register owner" });
        await admin.PostAsync("/api/v1/agencies", new { code = "lkq", name = "Serving agency" });
        var steward = new ApiClient(http, (await admin.PostAsync("/api/v1/agencies/lkp/keys", new { name = "s", roles = new[] { "steward" } }))["key"]!.GetValue<string>());
        var consumer = new ApiClient(http, (await admin.PostAsync("/api/v1/agencies/lkq/keys", new { name = "c", roles = new[] { "consumer" } }))["key"]!.GetValue<string>());
        await steward.PostAsync("/api/v1/datasets", new
        {
            id = "lkp.people", title = "People", description = "Looked up", keyFields = new[] { "id" }, classification = "internal",
            schema = JsonDocument.Parse("""{"$schema":"http://json-schema.org/draft-07/schema#","type":"object","required":["id"],"properties":{"id":{"type":"string"},"name":{"type":"string"}}}""").RootElement,
            feed = new { source = "upload", format = "ndjson", mode = "snapshot" },
        });
        var (uploaded, run, _) = await steward.SendAsync(HttpMethod.Post, "/api/v1/datasets/lkp.people/uploads",
            content: new StringContent($"{{\"id\":\"{Found}\",\"name\":\"Ann\"}}\n{{\"id\":\"{Batched}\",\"name\":\"Bo\"}}\n", System.Text.Encoding.UTF8, "application/x-ndjson"));
        Assert.That(uploaded, Is.EqualTo(HttpStatusCode.Accepted), run?.ToJsonString());
        Assert.That((await steward.WaitForRunAsync("lkp.people", run!["id"]!.GetValue<string>()))["status"]!.GetValue<string>(), Is.EqualTo("succeeded"));
        var sub = (await consumer.PostAsync("/api/v1/subscriptions", new { datasetId = "lkp.people", purpose = "Check residence" }))["id"]!.GetValue<string>();
        await steward.PostAsync($"/api/v1/subscriptions/{sub}/approval", new { policy = new { access = new[] { "lookup" }, fields = new[] { "id", "name" } } }, HttpStatusCode.OK);

        Assert.Multiple(async () =>
        {
            Assert.That(await LookupAsync(http, consumer.Key, Found, "Check residence"), Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await LookupAsync(http, consumer.Key, Absent, "Check residence"), Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(await LookupAsync(http, consumer.Key, Found, "Check residence", evidence: true), Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await LookupAsync(http, consumer.Key, Absent, "Check residence", evidence: true), Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(await LookupAsync(http, consumer.Key, Refused, "Marketing"), Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(await LookupAsync(http, consumer.Key, Refused, null), Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(await LookupAsync(http, steward.Key, Refused, "Check residence"), Is.EqualTo(HttpStatusCode.OK).Or.EqualTo(HttpStatusCode.NotFound));
            Assert.That(await LookupAsync(http, null, Unauthenticated, "Check residence"), Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(await LookupAsync(http, "dx_not-a-real-key", Unauthenticated, "Check residence"), Is.EqualTo(HttpStatusCode.Unauthorized));
            var (batch, answer, _) = await consumer.SendAsync(HttpMethod.Post, "/api/v1/datasets/lkp.people/lookups",
                new { purpose = "Check residence", caseRef = "case-1", evidence = true, keys = new[] { Batched, Absent, Found } });
            Assert.That(batch, Is.EqualTo(HttpStatusCode.OK), answer?.ToJsonString());
            Assert.That(answer!["items"]!.AsArray().Select(i => i!["found"]!.GetValue<bool>()), Is.EqualTo(new[] { true, false, true }));
            var (refusedBatch, _, _) = await consumer.SendAsync(HttpMethod.Post, "/api/v1/datasets/lkp.people/lookups", new { purpose = "Marketing", keys = new[] { Refused } });
            Assert.That(refusedBatch, Is.EqualTo(HttpStatusCode.Forbidden));
        });
        await Task.Delay(1000, cancellationToken); // the last lines reach stdout

        var output = string.Join('\n', server.Lines);
        string audit;
        await using (var conn = new NpgsqlConnection(database))
        {
            await conn.OpenAsync(cancellationToken);
            await using var cmd = new NpgsqlCommand("select coalesce(string_agg(a::text, E'\\n' order by seq), '') from dx.audit_log a", conn);
            audit = (string)(await cmd.ExecuteScalarAsync(cancellationToken))!;
        }
        Assert.Multiple(() =>
        {
            foreach (var key in Keys)
            {
                Assert.That(output, Does.Not.Contain(key).IgnoreCase, $"the server's output holds the key {key}");
                Assert.That(audit, Does.Not.Contain(key).IgnoreCase, $"the audit log holds the key {key}");
            }
            // Not vacuous: the requests were logged (with the route's placeholder) and the lookups audited with hashed subjects.
            Assert.That(output, Does.Contain("/api/v1/datasets/lkp.people/records/{key}"), "the request lines are in the output");
            Assert.That(output, Does.Contain("lkp.people/lookups"));
            Assert.That(audit, Does.Contain("record-looked-up").And.Contain("lookup-refused").And.Contain("request-refused").And.Contain("\"subjects\""));
        });
    }

    static async Task<HttpStatusCode> LookupAsync(HttpClient http, string? key, string recordKey, string? purpose, bool evidence = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/datasets/lkp.people/records/{recordKey}{(evidence ? "?evidence=true" : "")}");
        if (key is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        if (purpose is not null) request.Headers.Add("Dx-Purpose", purpose);
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }
}
