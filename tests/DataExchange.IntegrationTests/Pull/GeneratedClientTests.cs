using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using DataExchange.IntegrationTests.Hosting;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Pull;

/// <summary>
/// Issue 17: clients generated from /openapi/v1.json by NSwag and Kiota (pinned dotnet tools, installed once
/// into .ci/tools/dotnet) compile, and the NSwag client runs the consumer flow — find, subscribe, get approved,
/// page through records, read the change feed, stream NDJSON — against the real server on a socket, in a
/// process of its own (GeneratedClient/NSwagConsumer.cs). The Kiota client is compiled with a use of the same
/// flow (GeneratedClient/KiotaUse.cs). A client generated from one dataset's /openapi.json types its records with
/// exactly the consumer's fields and reads them (GeneratedRecordClient/TypedConsumer.cs). Ignored only when the tools cannot be installed.
/// </summary>
[TestFixture, Category(TestCategories.Slow)]
public sealed class GeneratedClientTests
{
    const string NSwagVersion = "14.8.0", KiotaVersion = "1.38.0";
    const string Owner = "gen-own", DatasetId = "gen-own.people";
    static readonly string Tools = Path.Combine(Samples.RepositoryRoot, ".ci", "tools");
    KestrelExchange _exchange = null!;
    string _steward = null!, _consumer = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _exchange = await KestrelExchange.StartAsync("genclient");
        _steward = await _exchange.KeyAsync(Owner, "steward");
        _consumer = await _exchange.KeyAsync("gen-con", "consumer");
        var steward = _exchange.Client(_steward);
        await steward.PostAsync("/api/v1/datasets", new
        {
            id = DatasetId, title = "Generated people", description = "People for the generated clients", keyFields = new[] { "id" }, classification = "public",
            schema = JsonNode.Parse("""{"type":"object","required":["id"],"properties":{"id":{"type":"string"},"name":{"type":"string"},"age":{"type":"integer"}}}"""),
            feed = new { source = "upload", format = "ndjson", maxDeleteShare = 1.0 },
        });
        var people = Enumerable.Range(0, 25).Select(i => new JsonObject { ["id"] = $"k{i:D2}", ["name"] = $"n{i}", ["age"] = i }).ToList();
        await PublishAsync(steward, people);
        people[0]["name"] = "changed";
        people.RemoveAt(24);
        people.Add(new JsonObject { ["id"] = "k25", ["name"] = "n25", ["age"] = 25 });
        await PublishAsync(steward, people);
    }

    static async Task PublishAsync(ApiClient steward, IEnumerable<JsonObject> rows)
    {
        var (status, run, _) = await steward.SendAsync(HttpMethod.Post, $"/api/v1/datasets/{DatasetId}/uploads",
            content: new StringContent(string.Join("\n", rows.Select(r => r.ToJsonString())), System.Text.Encoding.UTF8, "application/x-ndjson"));
        Assert.That(status, Is.EqualTo(HttpStatusCode.Accepted), run?.ToJsonString());
        Assert.That((await steward.WaitForRunAsync(DatasetId, run!["id"]!.ToString()))["status"]!.GetValue<string>(), Is.EqualTo("succeeded"));
    }

    [OneTimeTearDown]
    public void Stop() => _exchange.Dispose();

    [Test]
    public async Task GeneratedClients_Compile_AndTheNSwagClientRunsTheConsumerFlow()
    {
        var nswag = await ToolAsync("NSwag.ConsoleCore", NSwagVersion, "nswag");
        var kiota = await ToolAsync("Microsoft.OpenApi.Kiota", KiotaVersion, "kiota");
        var work = Path.Combine(Tools, "clients");
        Directory.CreateDirectory(work);
        // The work folder sits in the repository: stop MSBuild from taking the repository's build settings.
        await File.WriteAllTextAsync(Path.Combine(work, "Directory.Build.props"), "<Project />\n");
        await File.WriteAllTextAsync(Path.Combine(work, "Directory.Packages.props"), "<Project />\n");
        foreach (var file in Directory.GetFiles(Path.Combine(Samples.RepositoryRoot, "tests", "DataExchange.IntegrationTests", "Pull", "GeneratedClient")))
            File.Copy(file, Path.Combine(work, Path.GetFileName(file)), overwrite: true);
        var document = Path.Combine(work, "openapi.json");
        await File.WriteAllTextAsync(document, await new HttpClient().GetStringAsync(new Uri(_exchange.Address, "/openapi/v1.json")));

        await RunAsync(nswag, work, "openapi2csclient", "/input:openapi.json", "/output:NSwagClient.cs", "/namespace:Dx.NSwag", "/className:DxClient");
        var kiotaOut = Path.Combine(work, "Kiota");
        if (Directory.Exists(kiotaOut)) Directory.Delete(kiotaOut, recursive: true);
        await RunAsync(kiota, work, "generate", "-l", "CSharp", "-d", "openapi.json", "-o", kiotaOut, "-c", "DxKiotaClient", "-n", "Dx.Kiota", "--exclude-backward-compatible", "--log-level", "Warning");

        await RunAsync("dotnet", work, "build", "Consumer.csproj", "-c", "Release", "-o", "out", "-nologo", "-v:q", "-clp:ErrorsOnly");

        var summary = JsonNode.Parse((await RunAsync("dotnet", work, Path.Combine("out", "Consumer.dll"), _consumer, _steward, "generated")).Output.Trim().Split('\n')[^1])!;
        var expectedIds = Enumerable.Range(0, 24).Select(i => $"k{i:D2}").Append("k25").ToArray();
        Assert.That(summary["dataset"]!.GetValue<string>(), Is.EqualTo(DatasetId));
        Assert.That(summary["subscription"]!.GetValue<string>(), Is.EqualTo("Approved"));
        Assert.That((summary["version"]!.GetValue<int>(), summary["pages"]!.GetValue<int>()), Is.EqualTo((2, 3)));
        Assert.That(summary["ids"]!.AsArray().Select(i => i!.GetValue<string>()), Is.EqualTo(expectedIds));
        Assert.That(summary["names"]![1]!.GetValue<string>(), Is.EqualTo("*1"), "the policy the steward approved through the client is applied");
        Assert.That(summary["changes"]!.AsArray().Select(c => c!.GetValue<string>()), Is.EqualTo(new[] { "Update:k00:2", "Delete:k24:2", "Insert:k25:2" }));
        Assert.That(summary["ndjsonLines"]!.GetValue<int>(), Is.EqualTo(25));

        var audit = await _exchange.Client(_exchange.AdminKey).GetAsync("/api/v1/audit/entries?agency=gen-con&limit=100");
        var actions = audit["items"]!.AsArray().Select(e => e!["action"]!.GetValue<string>()).ToList();
        Assert.That(actions.Count(a => a == "records-pulled"), Is.EqualTo(4), "three pages and one stream, each audited");
        Assert.That(actions, Does.Contain("changes-pulled").And.Contain("subscription-requested"));
    }

    [Test]
    public async Task OneDatasetsRecordTypes_GenerateATypedNSwagClient_WithThePolicysFieldsOnly()
    {
        var nswag = await ToolAsync("NSwag.ConsoleCore", NSwagVersion, "nswag");
        var consumer = await _exchange.KeyAsync("gen-typed", "consumer");
        var (steward, reader) = (_exchange.Client(_steward), _exchange.Client(consumer));
        var sub = await reader.PostAsync("/api/v1/subscriptions", new { datasetId = DatasetId, purpose = "Typed records" });
        await steward.PostAsync($"/api/v1/subscriptions/{sub["id"]}/approval", new { policy = new { fields = new[] { "id", "name" }, masks = new { name = new { type = "partial", keepLast = 1 } } } },
            HttpStatusCode.OK);
        var work = Path.Combine(Tools, "clients-typed");
        Directory.CreateDirectory(work);
        await File.WriteAllTextAsync(Path.Combine(work, "Directory.Build.props"), "<Project />\n");
        await File.WriteAllTextAsync(Path.Combine(work, "Directory.Packages.props"), "<Project />\n");
        foreach (var file in Directory.GetFiles(Path.Combine(Samples.RepositoryRoot, "tests", "DataExchange.IntegrationTests", "Pull", "GeneratedRecordClient")))
            File.Copy(file, Path.Combine(work, Path.GetFileName(file)), overwrite: true);
        await File.WriteAllTextAsync(Path.Combine(work, "openapi.json"), (await reader.GetAsync($"/api/v1/datasets/{DatasetId}/openapi.json")).ToJsonString());

        await RunAsync(nswag, work, "openapi2csclient", "/input:openapi.json", "/output:PeopleClient.cs", "/namespace:Dx.People", "/className:PeopleClient");
        await RunAsync("dotnet", work, "build", "Typed.csproj", "-c", "Release", "-o", "out", "-nologo", "-v:q", "-clp:ErrorsOnly");
        var summary = JsonNode.Parse((await RunAsync("dotnet", work, Path.Combine("out", "Typed.dll"), consumer)).Output.Trim().Split('\n')[^1])!;

        Assert.That(summary["members"]!.AsArray().Select(m => m!.GetValue<string>()), Is.EqualTo(new[] { "Id", "Name" }), "the record class has the policy's fields, not age");
        Assert.That(summary["ids"]!.AsArray().Select(i => i!.GetValue<string>()), Is.EqualTo(Enumerable.Range(0, 24).Select(i => $"k{i:D2}").Append("k25")));
        Assert.That(summary["pages"]!.GetValue<int>(), Is.EqualTo(3));
        Assert.That(summary["names"]![1]!.GetValue<string>(), Is.EqualTo("*1"), "masked as the policy says");
        Assert.That(summary["changes"]!.AsArray().Select(c => c!.GetValue<string>()), Is.EqualTo(new[] { "Update:k00:2:k00", "Delete:k24:2:", "Insert:k25:2:k25" }));
    }

    /// <summary>The pinned dotnet tool under .ci/tools/dotnet, installed on first use (NuGet); ignored when it cannot be had.</summary>
    static async Task<string> ToolAsync(string package, string version, string command)
    {
        var path = Path.Combine(Tools, "dotnet");
        if (!Directory.Exists(Path.Combine(path, ".store", package.ToLowerInvariant(), version)))
        {
            var (code, output) = await TryRunAsync("dotnet", Samples.RepositoryRoot, "tool", "update", "--tool-path", path, package, "--version", version);
            if (code != 0) Assert.Ignore($"{package} {version} could not be installed as a dotnet tool (NuGet unreachable?): {output}");
        }
        return Path.Combine(path, command);
    }

    static async Task<(int Code, string Output)> RunAsync(string file, string directory, params string[] args)
    {
        var (code, output) = await TryRunAsync(file, directory, args);
        Assert.That(code, Is.Zero, $"{Path.GetFileName(file)} {string.Join(' ', args)}:\n{output}");
        return (code, output);
    }

    static async Task<(int Code, string Output)> TryRunAsync(string file, string directory, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) psi.ArgumentList.Add(arg);
        // Kiota looks for updates online unless told not to.
        psi.Environment["KIOTA_OFFLINE_ENABLED"] = "true";
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
