using System.Text.Json.Nodes;
using DataExchange.IntegrationTests.Hosting;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Cli;

/// <summary>
/// Issue 7: <c>dx</c> as a real process against the real server on Kestrel — login, register,
/// feed run --watch, list, subscribe/approve/revoke, pull to a file, audit search, exit codes.
/// </summary>
[TestFixture]
public sealed class DxCliTests
{
    const string DatasetId = "gd-amr.business-licences";
    KestrelExchange _exchange = null!;
    DxProcess _dx = null!;
    string _work = null!, _steward = null!, _consumer = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _exchange = await KestrelExchange.StartAsync("cli");
        _steward = await _exchange.KeyAsync("gd-amr", "steward");
        _consumer = await _exchange.KeyAsync("gz-hrss", "consumer");
        _exchange.DropSampleLicences();
        _work = Directory.CreateTempSubdirectory("dx-cli-").FullName;
        _dx = new DxProcess(Path.Combine(_work, "config", "config.json"));
        Assert.That(File.Exists(DxProcess.DxDll), $"{DxProcess.DxDll} is built by the ProjectReference");
    }

    [OneTimeTearDown]
    public void Stop()
    {
        _exchange.Dispose();
        Directory.Delete(_work, recursive: true);
    }

    [Test, System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Login_SavesServerAndKey_InAFileOnlyItsOwnerCanRead()
    {
        var result = await _dx.RunAsync(["login", "--server", _exchange.Address.ToString(), "--key", _steward]);
        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(File.GetUnixFileMode(_dx.ConfigPath), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        var saved = JsonNode.Parse(await File.ReadAllTextAsync(_dx.ConfigPath))!;
        Assert.That(saved["key"]!.GetValue<string>(), Is.EqualTo(_steward));
    }

    [Test, DependsOnTest(nameof(Login_SavesServerAndKey_InAFileOnlyItsOwnerCanRead))]
    public async Task Steward_RegistersTheSampleManifest_AndWatchesItsFirstRun()
    {
        var register = await _dx.RunAsync(["datasets", "register", Samples.Path("datasets", $"{DatasetId}.json")]);
        Assert.That(register.ExitCode, Is.Zero, register.ToString());

        var run = await _dx.RunAsync(["feed", "run", DatasetId, "--watch"]);
        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        Assert.That(run.Stdout, Does.Contain("succeeded").And.Contain("394"), "the summary names the status and counts");

        var list = await _dx.RunAsync(["datasets", "list", "--json"]);
        Assert.That(list.ExitCode, Is.Zero, list.ToString());
        var ids = Items(JsonNode.Parse(list.Stdout)!).Select(d => d!["id"]!.GetValue<string>());
        Assert.That(ids, Does.Contain(DatasetId));
    }

    [Test, DependsOnTest(nameof(Steward_RegistersTheSampleManifest_AndWatchesItsFirstRun))]
    public async Task Consumer_Subscribes_IsApproved_PullsToAFile_AndLosesAccessOnRevoke()
    {
        var request = await _dx.RunAsync(["subscriptions", "request", DatasetId, "--purpose", "Verify employers", "--json"], _consumer);
        Assert.That(request.ExitCode, Is.Zero, request.ToString());
        var id = JsonNode.Parse(request.Stdout)!["id"]!.GetValue<string>();

        var approve = await _dx.RunAsync(["subscriptions", "approve", id, "--field", "uscc", "--field", "name"]);
        Assert.That(approve.ExitCode, Is.Zero, approve.ToString());

        var file = Path.Combine(_work, "licences.csv");
        var pull = await _dx.RunAsync(["pull", DatasetId, "--format", "csv"], _consumer, stdoutFile: file);
        Assert.That(pull.ExitCode, Is.Zero, pull.ToString());
        var lines = await File.ReadAllLinesAsync(file);
        Assert.That(lines[0], Is.EqualTo("uscc,name"), "only the approved fields, as a CSV header");
        Assert.That(lines.Skip(1).Count(l => l.Length > 0), Is.EqualTo(394));

        var revoke = await _dx.RunAsync(["subscriptions", "revoke", id]);
        Assert.That(revoke.ExitCode, Is.Zero, revoke.ToString());
        var refused = await _dx.RunAsync(["pull", DatasetId], _consumer, stdoutFile: Path.Combine(_work, "refused.json"));
        Assert.That(refused.ExitCode, Is.EqualTo(2), refused.ToString());
    }

    [Test, DependsOnTest(nameof(Consumer_Subscribes_IsApproved_PullsToAFile_AndLosesAccessOnRevoke))]
    public async Task Auditor_SearchesTheAuditLog_AsJson()
    {
        var search = await _dx.RunAsync(["audit", "search", "--dataset", DatasetId, "--json"], _exchange.AdminKey);
        Assert.That(search.ExitCode, Is.Zero, search.ToString());
        var actions = Items(JsonNode.Parse(search.Stdout)!).Select(e => e!["action"]!.GetValue<string>()).ToList();
        Assert.That(actions, Is.SupersetOf(new[] { "dataset-registered", "subscription-approved", "records-pulled", "subscription-revoked", "access-denied" }));
    }

    [Test, DependsOnTest(nameof(Steward_RegistersTheSampleManifest_AndWatchesItsFirstRun))]
    public async Task Steward_SetsDcatMetadataFromAFile_KeepingTheTagsItLeavesOut_AndARefusalExitsWith4_Issue17()
    {
        var file = Path.Combine(_work, "licences.metadata.json");
        await File.WriteAllTextAsync(file, """
            {"metadata":{"licence":"http://publications.europa.eu/resource/authority/licence/CC_BY_4_0","contactPoint":{"name":"AMR data desk"}}}
            """);
        var set = await _dx.RunAsync(["datasets", "metadata", DatasetId, file, "--json"], _steward, server: _exchange.Address);
        Assert.That(set.ExitCode, Is.Zero, set.ToString());
        var dataset = JsonNode.Parse(set.Stdout)!;
        Assert.That(dataset["tags"]!.AsArray().Select(t => t!.GetValue<string>()), Is.EqualTo(new[] { "business", "licence", "market-regulation" }), "the manifest's tags, kept");
        Assert.That(dataset["metadata"]!.ToJsonString(), Is.EqualTo("""{"licence":"http://publications.europa.eu/resource/authority/licence/CC_BY_4_0","contactPoint":{"name":"AMR data desk"}}"""));

        await File.WriteAllTextAsync(file, """{"metadata":{"open":true}}""");
        var refused = await _dx.RunAsync(["datasets", "metadata", DatasetId, file], _steward, server: _exchange.Address);
        Assert.That(refused.ExitCode, Is.EqualTo(4), refused.ToString());
        Assert.That(refused.Stderr, Does.Contain("open-not-public").Or.Contain("/metadata/open"), "the problem is named");
    }

    [Test]
    public async Task UnknownDataset_ExitsWith3()
    {
        var result = await _dx.RunAsync(["datasets", "show", "gd-amr.no-such-dataset"], _steward, server: _exchange.Address);
        Assert.That(result.ExitCode, Is.EqualTo(3), result.ToString());
    }

    [Test]
    public async Task BadKey_ExitsWith2()
    {
        var result = await _dx.RunAsync(["datasets", "list"], "dx_kbadbadbadbad_notthesecret", server: _exchange.Address);
        Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
    }

    [Test]
    public async Task Steward_ReleasesAHeldRun_WithDxRunsRelease_Issue12()
    {
        const string id = "gd-amr.cli-held";
        await _exchange.Client(_steward).PostAsync("/api/v1/datasets", new
        {
            id, title = "Held run via dx", keyFields = new[] { "code" }, classification = "internal",
            schema = JsonNode.Parse("""{"type":"object","required":["code"],"properties":{"code":{"type":"string"},"n":{"type":"integer"}}}"""),
            feed = new { source = "upload", format = "csv" },
        });
        var v1 = Path.Combine(_work, "held-v1.csv");
        var v2 = Path.Combine(_work, "held-v2.csv");
        await File.WriteAllTextAsync(v1, "code,n\n" + string.Concat(Enumerable.Range(1, 10).Select(i => $"c{i},{i}\n")));
        await File.WriteAllTextAsync(v2, "code,n\nc1,1\nc2,2\nc3,3\n");
        var first = await _dx.RunAsync(["feed", "push", id, v1, "--watch"], _steward, server: _exchange.Address);
        Assert.That(first.ExitCode, Is.Zero, first.ToString());

        var held = await _dx.RunAsync(["feed", "push", id, v2, "--watch", "--json"], _steward, server: _exchange.Address);
        Assert.That(held.ExitCode, Is.EqualTo(8), held.ToString());
        var run = JsonNode.Parse(held.Stdout)!;
        Assert.That(run["status"]!.GetValue<string>(), Is.EqualTo("held"));
        var runId = run["id"]!.GetValue<string>();

        var release = await _dx.RunAsync(["runs", "release", id, runId, "--json"], _steward, server: _exchange.Address);
        Assert.That(release.ExitCode, Is.Zero, release.ToString());
        var released = JsonNode.Parse(release.Stdout)!;
        Assert.That(released["status"]!.GetValue<string>(), Is.EqualTo("succeeded"));
        Assert.That(released["publishedVersion"]!.GetValue<int>(), Is.EqualTo(2));
        var records = await _exchange.Client(_steward).GetAsync($"/api/v1/datasets/{id}/records");
        Assert.That(records["items"]!.AsArray().Select(r => r!["code"]!.GetValue<string>()), Is.EquivalentTo(new[] { "c1", "c2", "c3" }));

        var discard = await _dx.RunAsync(["runs", "discard", id, runId], _steward, server: _exchange.Address);
        Assert.That(discard.ExitCode, Is.EqualTo(4), "a released run is no longer held: 409\n" + discard);
    }

    [Test]
    public async Task Steward_GivesAFeedCredential_FromAnEnvironmentVariable_AndDxNeverShowsIt_Issue13()
    {
        const string id = "gd-amr.cli-credential";
        var secret = $"s3cret-cli-{Guid.NewGuid():N}";
        await _exchange.Client(_exchange.AdminKey).SendAsync(HttpMethod.Put, "/api/v1/feed-hosts", new { hosts = new[] { "127.0.0.1" } });
        await using var source = await Ingestion.TinyHttpServer.StartAsync();
        source.Body = "code,n\nc1,1\n";
        source.RequiredHeader = ("Authorization", "Bearer " + secret);
        var manifest = Path.Combine(_work, "credential-manifest.json");
        await File.WriteAllTextAsync(manifest, new JsonObject
        {
            ["id"] = id, ["title"] = "Feed behind a token", ["keyFields"] = new JsonArray("code"), ["classification"] = "internal",
            ["schema"] = JsonNode.Parse("""{"type":"object","required":["code"],"properties":{"code":{"type":"string"},"n":{"type":"integer"}}}"""),
            ["feed"] = new JsonObject
            {
                ["source"] = source.Url + "codes.csv", ["format"] = "csv", ["cron"] = "0 3 * * *",
                ["credential"] = new JsonObject { ["kind"] = "bearer", ["secretEnv"] = "CODES_TOKEN" },
            },
        }.ToJsonString());
        var environment = new Dictionary<string, string> { ["CODES_TOKEN"] = secret };

        var missing = await _dx.RunAsync(["datasets", "register", manifest], _steward, server: _exchange.Address);
        Assert.That(missing.ExitCode, Is.EqualTo(1), "the variable is not set: a usage error, nothing sent\n" + missing);
        var register = await _dx.RunAsync(["datasets", "register", manifest, "--json"], _steward, server: _exchange.Address, environment: environment);
        Assert.That(register.ExitCode, Is.Zero, register.ToString());
        var run = await _dx.RunAsync(["feed", "run", id, "--watch"], _steward, server: _exchange.Address);
        Assert.That(run.ExitCode, Is.Zero, run.ToString());

        var show = await _dx.RunAsync(["datasets", "show", id, "--json"], _steward, server: _exchange.Address);
        Assert.That(JsonNode.Parse(show.Stdout)!["feed"]!["credential"]!.ToJsonString(), Is.EqualTo("""{"kind":"bearer"}"""));
        var clear = await _dx.RunAsync(["feed", "credential", id, "--kind", "none"], _steward, server: _exchange.Address);
        Assert.That(clear.ExitCode, Is.Zero, clear.ToString());
        source.Body = "code,n\nc1,1\nc2,2\n";
        var refused = await _dx.RunAsync(["feed", "run", id, "--watch"], _steward, server: _exchange.Address);
        Assert.That(refused.ExitCode, Is.EqualTo(6), "without the credential the source answers 401\n" + refused);
        var again = await _dx.RunAsync(["feed", "credential", id, "--kind", "bearer", "--secret-env", "CODES_TOKEN"], _steward, server: _exchange.Address, environment: environment);
        Assert.That(again.ExitCode, Is.Zero, again.ToString());
        var fixedRun = await _dx.RunAsync(["feed", "run", id, "--watch"], _steward, server: _exchange.Address);
        Assert.That(fixedRun.ExitCode, Is.Zero, fixedRun.ToString());
        foreach (var output in new[] { register, run, show, clear, refused, again, fixedRun })
            Assert.That(output.ToString(), Does.Not.Contain(secret));
    }

    [TestCase("gd-amr.cli-refused", 2, TestName = "PullRefused_WritesNothingToStdout_Issue18")]
    [TestCase("gd-amr.no-such-dataset", 3, TestName = "PullOfAnUnknownDataset_WritesNothingToStdout_Issue18")]
    public async Task Pull_WritesNothing_BeforeTheServerSaidYes(string dataset, int exitCode)
    {
        if (exitCode == 2)
        {
            // A dataset the consumer may see in the catalogue but has no subscription to: 403.
            await _exchange.Client(_steward).PostAsync("/api/v1/datasets", new
            {
                id = dataset, title = "Refused pull via dx", keyFields = new[] { "code" }, classification = "internal",
                schema = JsonNode.Parse("""{"type":"object","required":["code"],"properties":{"code":{"type":"string"}}}"""),
                feed = new { source = "upload", format = "csv" },
            });
        }
        foreach (var format in new[] { "json", "ndjson", "csv" })
        {
            var file = Path.Combine(_work, $"refused-{exitCode}.{format}");
            var pull = await _dx.RunAsync(["pull", dataset, "--format", format], _consumer, stdoutFile: file, server: _exchange.Address);
            Assert.That(pull.ExitCode, Is.EqualTo(exitCode), pull.ToString());
            Assert.That(await File.ReadAllTextAsync(file), Is.Empty, $"`dx pull --format {format} > file` leaves the file empty when refused");
        }
    }

    [Test]
    public async Task RegisteringAnotherAgencysManifest_Is403_WithAHintAboutTheAgency_Issue18()
    {
        var result = await _dx.RunAsync(["datasets", "register", Samples.Path("datasets", "gd-transport.vehicles.json")], _steward, server: _exchange.Address);
        Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
        var hint = result.Stderr.Split('\n').Single(l => l.StartsWith("hint:", StringComparison.Ordinal));
        Assert.That(hint, Does.Contain("gd-transport").And.Contain("steward key").And.Not.Contain("subscription"), result.ToString());
    }

    /// <summary>A list printed with --json: the items array, or the body itself when it is one.</summary>
    static JsonArray Items(JsonNode body) => body as JsonArray ?? body["items"]!.AsArray();
}
