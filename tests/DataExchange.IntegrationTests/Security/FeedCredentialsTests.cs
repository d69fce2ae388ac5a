using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using DataExchange.IntegrationTests.Hosting;
using DataExchange.IntegrationTests.Ingestion;
using Npgsql;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Security;

/// <summary>
/// Issue 13, item 11: a source behind authentication gets a feed credential (bearer, basic, header),
/// sealed at rest and sent to the feed's own host only; no API answer, audit entry, log line or
/// database row holds the secret; a URL carrying a secret is refused.
/// </summary>
[TestFixture, Category("Security")]
public sealed class FeedCredentialsTests : ExchangeFixture
{
    const string Agency = "cred-a";
    static readonly JsonObject Schema = JsonNode.Parse("""
        {"type":"object","required":["id","name"],"additionalProperties":false,
         "properties":{"id":{"type":"string"},"name":{"type":"string"}}}
        """)!.AsObject();

    readonly CapturedLogs _logs;
    readonly List<string> _answers = [];
    ApiClient _steward = null!, _consumer = null!, _foreign = null!;

    public FeedCredentialsTests() : this(new CapturedLogs()) { }

    // Every log line at Debug is kept, to show that none holds a secret.
    FeedCredentialsTests(CapturedLogs logs) : base("feed_credentials", new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Debug" }, logs) => _logs = logs;

    [OneTimeSetUp]
    public async Task CreateAgenciesAsync()
    {
        _steward = await Admin.NewAgencyAsync(Agency, "Credential test agency");
        _consumer = await Admin.NewKeyAsync(Agency, "consumer");
        _foreign = await Admin.NewAgencyAsync("cred-b", "Another agency");
        await Admin.SendAsync(HttpMethod.Put, "/api/v1/feed-hosts", new { hosts = new[] { "127.0.0.1", "localhost" } });
    }

    [TestCase("bearer")]
    [TestCase("basic")]
    [TestCase("header")]
    public async Task Credential_IsSentToTheSource_AndIsInNoAnswerAuditEntryLogLineOrRow(string kind)
    {
        var secret = $"s3cret-{kind}-{Guid.NewGuid():N}";
        await using var server = await TinyHttpServer.StartAsync();
        server.Body = "id,name\n1,one\n2,two\n";
        server.RequiredHeader = kind switch
        {
            "bearer" => ("Authorization", "Bearer " + secret),
            "basic" => ("Authorization", "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("feeder:" + secret))),
            _ => ("X-Feed-Key", secret),
        };
        var credential = kind switch
        {
            "bearer" => new JsonObject { ["kind"] = "bearer", ["secret"] = secret },
            "basic" => new JsonObject { ["kind"] = "basic", ["username"] = "feeder", ["secret"] = secret },
            _ => new JsonObject { ["kind"] = "header", ["headerName"] = "X-Feed-Key", ["secret"] = secret },
        };
        var id = await RegisterAsync($"auth-{kind}", server.Url + "people.csv", credential);

        var run = await RunAsync(id);
        Assert.That(run["status"]!.GetValue<string>(), Is.EqualTo("succeeded"), run.ToJsonString());
        Assert.That(run["counts"]!["inserted"]!.GetValue<long>(), Is.EqualTo(2));

        var feed = await ReadAsync(_steward, $"/api/v1/datasets/{id}/feed");
        Assert.That(feed["credential"]!.ToJsonString(), Is.EqualTo($$"""{"kind":"{{kind}}"}"""), "answers say which kind is set, nothing more");
        foreach (var path in new[] { $"/api/v1/datasets/{id}", "/api/v1/datasets?limit=1000", $"/api/v1/datasets/{id}/runs", $"/api/v1/catalogue/{id}" })
            await ReadAsync(_steward, path);
        await ReadAsync(Admin, "/api/v1/audit/entries?limit=1000");
        await AssertNowhereAsync(secret);
    }

    [Test]
    public async Task Redirect_IsNotFollowed_SoTheCredentialNeverReachesAnotherHost()
    {
        var secret = $"s3cret-redirect-{Guid.NewGuid():N}";
        await using var elsewhere = await TinyHttpServer.StartAsync();
        elsewhere.Body = "id,name\n1,one\n";
        await using var server = await TinyHttpServer.StartAsync();
        server.RedirectTo = elsewhere.Url.Replace("127.0.0.1", "localhost", StringComparison.Ordinal) + "people.csv";
        var id = await RegisterAsync("redirect", server.Url + "people.csv", new JsonObject { ["kind"] = "bearer", ["secret"] = secret });

        var run = await RunAsync(id);
        Assert.Multiple(() =>
        {
            Assert.That(run["status"]!.GetValue<string>(), Is.EqualTo("failed"), run.ToJsonString());
            Assert.That(run["error"]!.GetValue<string>(), Does.Contain("redirect"));
            Assert.That(server.Requests, Is.EqualTo(1));
            Assert.That(elsewhere.Requests, Is.Zero, "the other host was never asked, with or without the credential");
        });
    }

    [TestCase("http://feeder:hunter2-SECRET@127.0.0.1/people.csv")]
    [TestCase("http://127.0.0.1/people.csv?token=hunter2-SECRET")]
    [TestCase("http://127.0.0.1/people.csv?format=csv&access_token=hunter2-SECRET")]
    [TestCase("http://127.0.0.1/people.csv?api_key=hunter2-SECRET")]
    [TestCase("http://127.0.0.1/people.csv?ApiKey=hunter2-SECRET")]
    [TestCase("http://127.0.0.1/people.csv?key=hunter2-SECRET")]
    [TestCase("http://127.0.0.1/people.csv?client_secret=hunter2-SECRET")]
    [TestCase("http://127.0.0.1/people.csv?password=hunter2-SECRET")]
    [TestCase("http://127.0.0.1/people.csv?sv=2024&sig=hunter2-SECRET")]
    [TestCase("http://127.0.0.1/people.csv?X-Amz-Signature=hunter2-SECRET")]
    public async Task SecretInTheUrl_IsRefused_AndAuditedWithoutIt(string url)
    {
        var id = $"{Agency}.url{Math.Abs(url.GetHashCode(StringComparison.Ordinal)) % 100000}";
        var (status, problem, _) = await _steward.SendAsync(HttpMethod.Post, "/api/v1/datasets", Manifest(id, url, null));
        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest), problem?.ToJsonString());
        Assert.That(problem!["type"]!.GetValue<string>(), Is.EqualTo("urn:dataexchange:problem:secret-in-url"));
        Assert.That(problem.ToJsonString(), Does.Not.Contain("hunter2"), "the refusal does not repeat the secret");
        var audit = await Admin.GetAsync("/api/v1/audit/entries?action=feed-source-refused&limit=1000");
        var entry = audit["items"]!.AsArray().Single(e => e!["target"]?.GetValue<string>() == id)!;
        Assert.That(entry["details"]!["code"]!.GetValue<string>(), Is.EqualTo("secret-in-url"));
        Assert.That(entry.ToJsonString(), Does.Not.Contain("hunter2"));
    }

    [Test]
    public async Task PutFeed_SetsKeepsReplacesAndClearsTheCredential_StewardsOfTheOwnerOnly()
    {
        var (first, second) = ($"s3cret-first-{Guid.NewGuid():N}", $"s3cret-second-{Guid.NewGuid():N}");
        await using var server = await TinyHttpServer.StartAsync();
        server.Body = "id,name\n1,one\n";
        server.RequiredHeader = ("Authorization", "Bearer " + first);
        var source = server.Url + "people.csv";
        var id = await RegisterAsync("rotate", source, new JsonObject { ["kind"] = "bearer", ["secret"] = first });

        // Absent credential: kept, even across other changes.
        Assert.That((await PutFeedAsync(_steward, id, new JsonObject { ["source"] = source, ["cron"] = "0 5 * * *" }))["credential"]!["kind"]!.GetValue<string>(), Is.EqualTo("bearer"));
        Assert.That((await RunAsync(id))["status"]!.GetValue<string>(), Is.EqualTo("succeeded"));

        // Replaced: the source now wants the second secret.
        server.RequiredHeader = ("Authorization", "Bearer " + second);
        server.Body = "id,name\n1,one\n2,two\n";
        await PutFeedAsync(_steward, id, new JsonObject { ["source"] = source, ["cron"] = "0 5 * * *", ["credential"] = new JsonObject { ["kind"] = "bearer", ["secret"] = second } });
        Assert.That((await RunAsync(id))["status"]!.GetValue<string>(), Is.EqualTo("succeeded"));

        // A new host without the credential again is refused: it is never sent where it was not set for.
        var (moved, movedProblem, _) = await _steward.SendAsync(HttpMethod.Put, $"/api/v1/datasets/{id}/feed",
            new JsonObject { ["source"] = source.Replace("127.0.0.1", "localhost", StringComparison.Ordinal), ["cron"] = "0 5 * * *" });
        Assert.That(moved, Is.EqualTo(HttpStatusCode.BadRequest), movedProblem?.ToJsonString());
        Assert.That(movedProblem!["type"]!.GetValue<string>(), Is.EqualTo("urn:dataexchange:problem:credential-host-changed"));

        // Other agencies' stewards and the owner's consumers may not touch it.
        foreach (var caller in new[] { _foreign, _consumer })
        {
            var (status, _, _) = await caller.SendAsync(HttpMethod.Put, $"/api/v1/datasets/{id}/feed",
                new JsonObject { ["source"] = source, ["cron"] = "0 5 * * *", ["credential"] = new JsonObject { ["kind"] = "none" } });
            Assert.That(status, Is.EqualTo(HttpStatusCode.Forbidden));
        }

        // Cleared: the source refuses the unauthenticated fetch.
        var cleared = await PutFeedAsync(_steward, id, new JsonObject { ["source"] = source, ["cron"] = "0 5 * * *", ["credential"] = new JsonObject { ["kind"] = "none" } });
        Assert.That(cleared["credential"], Is.Null);
        server.Body = "id,name\n1,one\n2,two\n3,three\n";
        var refused = await RunAsync(id);
        Assert.That(refused["status"]!.GetValue<string>(), Is.EqualTo("failed"), refused.ToJsonString());
        Assert.That(refused["error"]!.GetValue<string>(), Does.Contain("401"));

        var updates = (await ReadAsync(Admin, $"/api/v1/audit/entries?action=feed-updated&dataset={id}&limit=100"))["items"]!.AsArray();
        Assert.That(updates.Select(e => e!["details"]!["credential"]?.GetValue<string>()), Is.EquivalentTo(new[] { "kept", "set", "cleared" }));
        await AssertNowhereAsync(first);
        await AssertNowhereAsync(second);
    }

    async Task<string> RegisterAsync(string name, string source, JsonObject credential)
    {
        var id = $"{Agency}.{name}";
        var (status, body, _) = await _steward.SendAsync(HttpMethod.Post, "/api/v1/datasets", Manifest(id, source, credential));
        Assert.That(status, Is.EqualTo(HttpStatusCode.Created), body?.ToJsonString());
        _answers.Add(body!.ToJsonString());
        return id;
    }

    static JsonObject Manifest(string id, string source, JsonObject? credential)
    {
        var feed = new JsonObject { ["source"] = source, ["format"] = "csv", ["cron"] = "0 2 * * *" };
        if (credential is not null) feed["credential"] = credential;
        return new JsonObject { ["id"] = id, ["title"] = id, ["keyFields"] = new JsonArray("id"), ["classification"] = "internal", ["schema"] = Schema.DeepClone(), ["feed"] = feed };
    }

    async Task<JsonNode> PutFeedAsync(ApiClient caller, string id, JsonObject feed)
    {
        var (status, body, _) = await caller.SendAsync(HttpMethod.Put, $"/api/v1/datasets/{id}/feed", feed);
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body?.ToJsonString());
        _answers.Add(body!.ToJsonString());
        return body;
    }

    async Task<JsonNode> RunAsync(string id)
    {
        var queued = await _steward.PostAsync($"/api/v1/datasets/{id}/runs", null, HttpStatusCode.Accepted);
        var run = await _steward.WaitForRunAsync(id, queued["id"]!.GetValue<string>());
        _answers.Add(run.ToJsonString());
        return run;
    }

    async Task<JsonNode> ReadAsync(ApiClient caller, string path)
    {
        var body = await caller.GetAsync(path);
        _answers.Add(body.ToJsonString());
        return body;
    }

    /// <summary>The secret is in no answer this fixture received, no log line, and no row of any table (text, or its bytes as bytea hex).</summary>
    async Task AssertNowhereAsync(string secret)
    {
        Assert.That(_answers.Where(a => a.Contains(secret, StringComparison.Ordinal)), Is.Empty, "API answers");
        Assert.That(_logs.Lines.Where(l => l.Contains(secret, StringComparison.Ordinal)), Is.Empty, "log lines");
        var hex = Convert.ToHexStringLower(Encoding.UTF8.GetBytes(secret));
        var base64 = Convert.ToBase64String(Encoding.UTF8.GetBytes("feeder:" + secret));
        await using var conn = new NpgsqlConnection(Factory.ConnectionString);
        await conn.OpenAsync();
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand("select format('%I.%I', table_schema, table_name) from information_schema.tables where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema')", conn))
        await using (var r = await list.ExecuteReaderAsync())
            while (await r.ReadAsync()) tables.Add(r.GetString(0));
        Assert.That(tables, Does.Contain("dx.feed_credentials"));
        foreach (var table in tables)
        {
            await using var cmd = new NpgsqlCommand($"select count(*) from {table} t where strpos(t::text, $1) > 0 or strpos(t::text, $2) > 0 or strpos(t::text, $3) > 0", conn)
            {
                Parameters = { new() { Value = secret }, new() { Value = hex }, new() { Value = base64 } },
            };
            Assert.That(await cmd.ExecuteScalarAsync(), Is.Zero, $"rows of {table}");
        }
    }
}
