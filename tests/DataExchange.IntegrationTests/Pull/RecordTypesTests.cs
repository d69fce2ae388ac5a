using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Pull;

/// <summary>
/// Issue 17: GET /api/v1/datasets/{id}/openapi.json describes the dataset's records as the caller receives
/// them — only the fields its policy shows, masked fields as strings, the key fields — with the operations its
/// policy allows; another agency without a subscription gets exactly the refusal it gets for the records; the
/// document passes Spectral's spectral:oas ruleset (when DX_SPECTRAL is set). GeneratedClientTests generates and
/// compiles a typed NSwag client from it.
/// </summary>
[TestFixture]
public sealed class RecordTypesTests
{
    PullTestBed _bed = null!;
    Hosting.ApiClient _limited = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _bed = await PullTestBed.StartAsync("recordtypes");
        await _bed.PublishAsync(new { id = "p1", name = "Ann", phone = "13800000001", city = "Guangzhou", age = 30, born = "1996-01-02" },
            new { id = "p2", name = "Bo", phone = "13800000002", city = "Shenzhen", age = 40, born = "1986-03-04" });
        _limited = await _bed.NewConsumerAsync("types-con");
        await _bed.SubscribeAsync(_limited, new { fields = new[] { "id", "name", "phone", "age" }, masks = new { phone = "hash", name = new { type = "partial", keepLast = 1 } } });
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _bed.DisposeAsync();

    static string Path(string id = PullTestBed.DatasetId) => $"/api/v1/datasets/{id}/openapi.json";

    [Test]
    public async Task AFieldLimitedPolicy_SeesOnlyItsFields_MaskedOnesAsStrings_AndTheKey()
    {
        var document = await _limited.GetAsync(Path());
        Assert.That(document["openapi"]!.GetValue<string>(), Is.EqualTo("3.0.3"));
        Assert.That(document["servers"]![0]!["url"]!.GetValue<string>(), Does.StartWith("http").And.EndWith("/api/v1/datasets/own.people"));
        var record = document["components"]!["schemas"]!["PeopleRecord"]!;
        var properties = record["properties"]!.AsObject();
        Assert.That(properties.Select(p => p.Key), Is.EqualTo(new[] { "id", "name", "phone", "age" }), "the policy's fields, in schema order; city and born are not received");
        Assert.That(properties["id"]!["type"]!.GetValue<string>(), Is.EqualTo("string"));
        Assert.That((properties["age"]!["type"]!.GetValue<string>(), properties["age"]!["format"]!.GetValue<string>()), Is.EqualTo(("integer", "int64")));
        Assert.That((properties["phone"]!["type"]!.GetValue<string>(), properties["phone"]!["x-dataexchange-mask"]!.GetValue<string>()), Is.EqualTo(("string", "hash")));
        Assert.That(properties["name"]!["x-dataexchange-mask"]!.GetValue<string>(), Is.EqualTo("partial"));
        Assert.That(record["required"]!.AsArray().Select(r => r!.GetValue<string>()), Is.EqualTo(new[] { "id" }));
        Assert.That(record["x-dataexchange-key-fields"]!.AsArray().Select(r => r!.GetValue<string>()), Is.EqualTo(new[] { "id" }));
        Assert.That(document["paths"]!.AsObject().Select(p => p.Key), Is.EquivalentTo(new[] { "/records", "/changes", "/records/{key}", "/lookups" }));
        Assert.That(document["paths"]!["/records"]!["get"]!["responses"]!["200"]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>(),
            Is.EqualTo("#/components/schemas/RecordPage"));

        // What the document promises is what the records are: the served members are its properties, the hash matches its pattern.
        var page = await _limited.GetAsync("/api/v1/datasets/own.people/records");
        foreach (var item in page["items"]!.AsArray())
        {
            Assert.That(item!.AsObject().Select(p => p.Key), Is.SubsetOf(properties.Select(p => p.Key)));
            Assert.That(item["phone"]!.GetValue<string>(), Does.Match(properties["phone"]!["pattern"]!.GetValue<string>()));
        }
        var audit = await _bed.Admin.GetAsync("/api/v1/audit/entries?agency=types-con&action=record-types-described");
        var entry = audit["items"]!.AsArray().First()!;
        Assert.That(entry["outcome"]!.GetValue<string>(), Is.EqualTo("allowed"));
        Assert.That(entry["details"]!["fields"]!.AsArray().Select(f => f!.GetValue<string>()), Is.EqualTo(new[] { "id", "name", "phone", "age" }));
        Assert.That(document["info"]!["x-dataexchange-policy-hash"]!.GetValue<string>(), Is.EqualTo(entry["details"]!["policyHash"]!.GetValue<string>()));
    }

    [Test]
    public async Task TheOwner_SeesEveryField_Unmasked()
    {
        var properties = (await _bed.Steward.GetAsync(Path()))["components"]!["schemas"]!["PeopleRecord"]!["properties"]!.AsObject();
        Assert.That(properties.Select(p => p.Key), Is.EqualTo(new[] { "id", "name", "phone", "city", "age", "born" }));
        Assert.That(properties.Any(p => p.Value!["x-dataexchange-mask"] is not null), Is.False);
    }

    [Test]
    public async Task AnotherAgencyWithoutASubscription_GetsTheRefusalItGetsForTheRecords()
    {
        var stranger = await _bed.NewConsumerAsync("types-stranger");
        var (recordsStatus, recordsProblem, _) = await stranger.SendAsync(HttpMethod.Get, "/api/v1/datasets/own.people/records");
        var (status, problem, _) = await stranger.SendAsync(HttpMethod.Get, Path());
        Assert.That(status, Is.EqualTo(HttpStatusCode.Forbidden), problem?.ToJsonString());
        Assert.That((status, problem!["type"]!.GetValue<string>(), problem["detail"]!.GetValue<string>()),
            Is.EqualTo((recordsStatus, recordsProblem!["type"]!.GetValue<string>(), recordsProblem["detail"]!.GetValue<string>())));
        Assert.That(problem["type"]!.GetValue<string>(), Is.EqualTo("urn:dataexchange:problem:subscription-required"));
        Assert.That(problem.ToJsonString(), Does.Not.Contain("phone").And.Not.Contain("city"), "the refusal names no field");

        var denied = (await _bed.Admin.GetAsync("/api/v1/audit/entries?agency=types-stranger&action=access-denied"))["items"]!.AsArray();
        Assert.That(denied.Select(e => e!["details"]!["reason"]!.GetValue<string>()), Is.EqualTo(new[] { "subscription-required", "subscription-required" }), "both refusals audited alike");
        Assert.That((await _bed.Anonymous().GetAsync(Path())).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "public but not open: a key is needed, as for the records");
    }

    [Test]
    public async Task ALookupOnlySubscription_GetsTheLookupsAlone()
    {
        var lookups = await _bed.NewConsumerAsync("types-lookup");
        await _bed.SubscribeAsync(lookups, new { fields = new[] { "id", "city" }, access = new[] { "lookup" } });
        var document = await lookups.GetAsync(Path());
        Assert.That(document["paths"]!.AsObject().Select(p => p.Key), Is.EquivalentTo(new[] { "/records/{key}", "/lookups" }));
        Assert.That(document["components"]!["schemas"]!["PeopleRecord"]!["properties"]!.AsObject().Select(p => p.Key), Is.EqualTo(new[] { "id", "city" }));
        Assert.That(document["components"]!["schemas"]!["LookupBatchRequest"]!["properties"]!["keys"]!["items"]!["type"]!.GetValue<string>(), Is.EqualTo("string"), "one key field: each key a string");
    }

    [Test]
    public async Task Spectral_ReportsNoErrors_WhenAvailable()
    {
        var spectral = Environment.GetEnvironmentVariable("DX_SPECTRAL");
        if (string.IsNullOrEmpty(spectral) || !File.Exists(spectral)) Assert.Ignore("Spectral not found: run .ci/run (installs @stoplight/spectral-cli into .ci/tools) or set DX_SPECTRAL to a spectral CLI.");
        var dir = Directory.CreateTempSubdirectory("dx-record-types-").FullName;
        try
        {
            await File.WriteAllTextAsync(System.IO.Path.Combine(dir, "openapi.json"), (await _limited.GetAsync(Path())).ToJsonString());
            await File.WriteAllTextAsync(System.IO.Path.Combine(dir, ".spectral.yaml"), "extends: [\"spectral:oas\"]\n");
            var psi = new ProcessStartInfo(spectral, "lint openapi.json --fail-severity error") { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
            using var process = Process.Start(psi)!;
            var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.That(process.ExitCode, Is.Zero, output);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
