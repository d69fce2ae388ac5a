using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using DataExchange.IntegrationTests.Hosting;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Security;

/// <summary>
/// Issue 13, item 10: an answer that carries a secret (an issued API key) is never stored for
/// replay, so the secret is nowhere in the database; a retry learns that it succeeded, not the
/// secret; expired idempotency rows are purged by a scheduled job.
/// </summary>
[TestFixture, Category("Security")]
public sealed class IdempotencySecretTests() : ExchangeFixture("idemsecret")
{
    HttpClient _http = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _http = Factory.CreateClient();
        _http.DefaultRequestHeaders.Authorization = new("Bearer", Admin.Key);
    }

    [Test]
    public async Task IssuingAKey_WithAnIdempotencyKey_LeavesItsSecretNowhereInTheDatabase_AndARetryIs409WithoutIt()
    {
        var first = await PostAsync("/api/v1/agencies/exchange/keys", "issue-1", new { name = "nightly export", roles = new[] { "auditor" } });
        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        var issued = JsonNode.Parse(await first.Content.ReadAsStringAsync())!;
        var key = issued["key"]!.GetValue<string>();
        var secret = key[(key.LastIndexOf('_') + 1)..];

        var found = await RowsContainingAsync(secret);
        Assert.That(found, Is.Empty, "the key's secret (as text or as bytes) is in no table of the database");

        var retry = await PostAsync("/api/v1/agencies/exchange/keys", "issue-1", new { name = "nightly export", roles = new[] { "auditor" } });
        var body = await retry.Content.ReadAsStringAsync();
        Assert.Multiple(() =>
        {
            Assert.That(retry.StatusCode, Is.EqualTo(HttpStatusCode.Conflict), body);
            Assert.That(JsonNode.Parse(body)!["type"]!.GetValue<string>(), Is.EqualTo("urn:dataexchange:problem:idempotent-secret-not-replayed"));
            Assert.That(body, Does.Not.Contain(secret));
            Assert.That(body, Does.Contain(issued["id"]!.GetValue<string>()), "the retry learns which key was issued, to revoke it if its secret was lost");
        });
        var keys = await _http.GetFromJsonAsync<JsonNode>("/api/v1/agencies/exchange/keys");
        Assert.That(keys!["items"]!.AsArray().Count(k => k!["name"]!.GetValue<string>() == "nightly export"), Is.EqualTo(1), "the retry issued no second key");
    }

    [Test]
    public async Task AnswersWithoutSecrets_AreStillReplayed()
    {
        var first = await PostAsync("/api/v1/agencies", "agency-1", new { code = "idem-a", name = "A" });
        var retry = await PostAsync("/api/v1/agencies", "agency-1", new { code = "idem-a", name = "A" });
        Assert.That(retry.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        Assert.That(await retry.Content.ReadAsStringAsync(), Is.EqualTo(await first.Content.ReadAsStringAsync()));
    }

    [Test]
    public async Task ExpiredIdempotencyRows_ArePurgedByTheHourlyJob()
    {
        Assert.That((await PostAsync("/api/v1/agencies", "old-1", new { code = "idem-old", name = "Old" })).StatusCode, Is.EqualTo(HttpStatusCode.Created));
        Assert.That((await PostAsync("/api/v1/agencies", "new-1", new { code = "idem-new", name = "New" })).StatusCode, Is.EqualTo(HttpStatusCode.Created));
        await using var conn = new NpgsqlConnection(Factory.ConnectionString);
        await conn.OpenAsync();
        await using (var age = new NpgsqlCommand("update dx.idempotency_keys set created_at = now() - interval '25 hours' where key = 'old-1'", conn))
            Assert.That(await age.ExecuteNonQueryAsync(), Is.EqualTo(1));

        Factory.Services.GetRequiredService<IRecurringJobManager>().Trigger("idempotency-purge");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        List<string> left;
        do
        {
            await Task.Delay(500);
            left = await KeysAsync(conn);
        } while (left.Contains("old-1") && DateTime.UtcNow < deadline);
        Assert.That(left, Does.Not.Contain("old-1"), "the expired row is gone");
        Assert.That(left, Does.Contain("new-1"), "rows within their 24 hours stay");
    }

    static async Task<List<string>> KeysAsync(NpgsqlConnection conn)
    {
        await using var cmd = new NpgsqlCommand("select key from dx.idempotency_keys", conn);
        await using var r = await cmd.ExecuteReaderAsync();
        var keys = new List<string>();
        while (await r.ReadAsync()) keys.Add(r.GetString(0));
        return keys;
    }

    /// <summary>Every table of every schema but PostgreSQL's own, scanned row by row for <paramref name="secret"/> as text and as the hex of its UTF-8 bytes.</summary>
    async Task<List<string>> RowsContainingAsync(string secret)
    {
        await using var conn = new NpgsqlConnection(Factory.ConnectionString);
        await conn.OpenAsync();
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand("select format('%I.%I', schemaname, tablename) from pg_tables where schemaname not in ('pg_catalog', 'information_schema')", conn))
        await using (var r = await list.ExecuteReaderAsync())
            while (await r.ReadAsync()) tables.Add(r.GetString(0));
        Assert.That(tables, Does.Contain("dx.idempotency_keys"));
        var hex = Convert.ToHexStringLower(Encoding.UTF8.GetBytes(secret));
        var found = new List<string>();
        foreach (var table in tables)
        {
            await using var scan = new NpgsqlCommand($"select count(*) from {table} t where position($1 in t::text) > 0 or position($2 in lower(t::text)) > 0", conn)
            { Parameters = { new() { Value = secret }, new() { Value = hex } } };
            if ((long)(await scan.ExecuteScalarAsync())! > 0) found.Add(table);
        }
        return found;
    }

    Task<HttpResponseMessage> PostAsync(string path, string idempotencyKey, object body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", idempotencyKey);
        return _http.SendAsync(request);
    }
}
