using System.Net;
using System.Text.Json.Nodes;
using DataExchange.Core.Agencies;
using Npgsql;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Security;

/// <summary>
/// Issue 13, item 5: every refusal is audited, not only refused pulls — each kind below leaves
/// exactly one <c>request-refused</c> entry naming caller, method, route, status and problem, and
/// the answer is what it was; a refusal a capability audits itself is not audited twice; a refusal
/// that cannot be audited is not answered (503); reads of quarantined rows are audited as reads.
/// </summary>
[TestFixture, Category("Security")]
public sealed class RefusalAuditTests : SecurityFixture
{
    /// <summary>A refused request: who (agency and role, null for no key), what, and what it is answered.</summary>
    public sealed record Kind(string Name, (string Agency, string Role)? Caller, string? RawKey, string Method, string Path, object? Body, HttpStatusCode Status,
        string? Route, bool AboutTheDataset)
    {
        /// <inheritdoc />
        public override string ToString() => Name;
    }

    static IEnumerable<Kind> Kinds() =>
    [
        new("401 without a key", null, null, "GET", "/api/v1/audit/entries", null, HttpStatusCode.Unauthorized, "/api/v1/audit/entries", false),
        new("401 with a garbage key", null, "dx_nosuchkey_0123456789", "GET", "/api/v1/subscriptions", null, HttpStatusCode.Unauthorized, "/api/v1/subscriptions", false),
        new("403 consumer issuing itself an admin key", (B, "consumer"), null, "POST", $"/api/v1/agencies/{B}/keys", new { name = "mine", roles = new[] { "admin" } },
            HttpStatusCode.Forbidden, "/api/v1/agencies/{agencyId}/keys", false),
        new("404 on another agency's subscription", (C, "consumer"), null, "GET", "/api/v1/subscriptions/{sub}", null, HttpStatusCode.NotFound,
            "/api/v1/subscriptions/{subscriptionId}", false),
        new("403 foreign steward's upload", (C, "steward"), null, "POST", $"/api/v1/datasets/{DatasetId}/uploads", null, HttpStatusCode.Forbidden,
            "/api/v1/datasets/{datasetId}/uploads", true),
        new("404 foreign steward's approval", (C, "steward"), null, "POST", "/api/v1/subscriptions/{sub}/approval", new { policy = new { } }, HttpStatusCode.NotFound,
            "/api/v1/subscriptions/{subscriptionId}/approval", false),
        new("403 auditor of an agency verifying the whole chain", (B, "auditor"), null, "POST", "/api/v1/audit/verification", null, HttpStatusCode.Forbidden,
            "/api/v1/audit/verification", false),
        new("404 on a path that does not exist", (B, "consumer"), null, "GET", "/api/v1/no-such-thing", null, HttpStatusCode.NotFound, null, false),
    ];

    [TestCaseSource(nameof(Kinds))]
    public async Task Refusal_LeavesExactlyOneEntry_AndTheSameAnswer(Kind kind)
    {
        var key = kind.Caller is { } c ? Keys[c] : kind.RawKey;
        var before = await HeadAsync();

        var (status, problem, _) = await Client(key).SendAsync(new HttpMethod(kind.Method), kind.Path.Replace("{sub}", SubscriptionId, StringComparison.Ordinal),
            kind.Body, kind.Path.EndsWith("/uploads", StringComparison.Ordinal) ? new StringContent("id,name\n9,x\n", System.Text.Encoding.UTF8, "text/csv") : null);
        var entries = await EntriesAfterAsync(before);

        Assert.That(status, Is.EqualTo(kind.Status), problem?.ToJsonString());
        Assert.That(entries, Has.Count.EqualTo(1), string.Join("\n", entries.Select(e => e.ToJsonString())));
        var entry = entries[0];
        var details = entry["details"]!;
        Assert.Multiple(() =>
        {
            Assert.That(entry["action"]!.GetValue<string>(), Is.EqualTo("request-refused"));
            Assert.That(entry["outcome"]!.GetValue<string>(), Is.EqualTo("denied"));
            Assert.That(entry["actor_agency"]?.GetValue<string>(), Is.EqualTo(kind.Caller?.Agency));
            Assert.That(entry["actor_client"]?.GetValue<string>(), Is.EqualTo(key is null || kind.Caller is null ? null : ClientId(key)));
            Assert.That(entry["dataset_id"]?.GetValue<string>(), Is.EqualTo(kind.AboutTheDataset ? DatasetId : null));
            Assert.That(details["method"]!.GetValue<string>(), Is.EqualTo(kind.Method));
            Assert.That(details["route"]?.GetValue<string>(), Is.EqualTo(kind.Route));
            Assert.That(details["status"]!.GetValue<int>(), Is.EqualTo((int)kind.Status));
            Assert.That("urn:dataexchange:problem:" + details["problem"]!.GetValue<string>(), Is.EqualTo(problem?["type"]?.GetValue<string>()));
            if (kind.Caller is null)
            {
                Assert.That(details["reason"]!.GetValue<string>(), Is.EqualTo(key is null ? "missing-key" : "invalid-key"));
                Assert.That(details["window"]!["seconds"]!.GetValue<long>(), Is.EqualTo(600), "without a key: one entry per source, kind and window");
            }
        });
    }

    [Test]
    public async Task RefusedPull_IsAuditedOnce_AsAccessDenied()
    {
        var before = await HeadAsync();

        var (status, _, _) = await Client(Keys[(C, "consumer")]).SendAsync(HttpMethod.Get, $"/api/v1/datasets/{DatasetId}/records");
        var entries = await EntriesAfterAsync(before);

        Assert.That(status, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(entries.Select(e => e["action"]!.GetValue<string>()), Is.EqualTo(new[] { "access-denied" }));
    }

    [Test]
    public async Task Refusal_ThatCannotBeAudited_IsAnswered503()
    {
        await ExecAsync("""
            create function dx.test_refuse_refusals() returns trigger language plpgsql as $$ begin raise exception 'audit store full'; end $$;
            create trigger test_refuse_refusals before insert on dx.audit_log for each row when (new.action = 'request-refused') execute function dx.test_refuse_refusals();
            """);
        var before = await HeadAsync();
        try
        {
            var (status, problem, response) = await Client(Keys[(B, "consumer")]).SendAsync(HttpMethod.Post, $"/api/v1/agencies/{B}/keys",
                new { name = "mine", roles = new[] { "admin" } });
            var entries = await EntriesAfterAsync(before);

            Assert.Multiple(() =>
            {
                Assert.That(status, Is.EqualTo(HttpStatusCode.ServiceUnavailable), problem?.ToJsonString());
                Assert.That(problem?["type"]?.GetValue<string>(), Is.EqualTo("urn:dataexchange:problem:audit-unavailable"));
                Assert.That(response.Headers.RetryAfter, Is.Not.Null);
                Assert.That(entries, Is.Empty, "nothing was answered, nothing recorded");
            });
        }
        finally
        {
            await ExecAsync("drop trigger test_refuse_refusals on dx.audit_log; drop function dx.test_refuse_refusals();");
        }
    }

    [Test]
    public async Task ReadOfQuarantinedRows_IsAuditedAsARead()
    {
        var steward = Keys[(A, "steward")];
        var before = await HeadAsync();

        var page = await Client(steward).GetAsync($"/api/v1/datasets/{DatasetId}/runs/{RunId}/rejected");
        var entries = await EntriesAfterAsync(before);

        Assert.That(entries, Has.Count.EqualTo(1));
        Assert.Multiple(() =>
        {
            Assert.That(entries[0]["action"]!.GetValue<string>(), Is.EqualTo("rejected-records-read"));
            Assert.That(entries[0]["outcome"]!.GetValue<string>(), Is.EqualTo("allowed"));
            Assert.That(entries[0]["actor_client"]!.GetValue<string>(), Is.EqualTo(ClientId(steward)));
            Assert.That(entries[0]["target"]!.GetValue<string>(), Is.EqualTo($"{DatasetId}/runs/{RunId}"));
            Assert.That(entries[0]["details"]!["rows"]!.GetValue<int>(), Is.EqualTo(page["items"]!.AsArray().Count));
        });
    }

    static string ClientId(string key) => ApiKeyFormat.TryParse(key, out var id, out _) ? id : throw new ArgumentException(key);

    async Task<long> HeadAsync()
    {
        await using var conn = new NpgsqlConnection(ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("select seq from dx.audit_head", conn);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    /// <summary>The entries appended after <paramref name="seq"/>, as JSON rows.</summary>
    async Task<List<JsonNode>> EntriesAfterAsync(long seq)
    {
        await using var conn = new NpgsqlConnection(ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("select to_jsonb(a)::text from dx.audit_log a where seq > $1 order by seq", conn) { Parameters = { new() { Value = seq } } };
        var list = new List<JsonNode>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) list.Add(JsonNode.Parse(r.GetString(0))!);
        return list;
    }

    async Task ExecAsync(string sql)
    {
        await using var conn = new NpgsqlConnection(ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }
}
