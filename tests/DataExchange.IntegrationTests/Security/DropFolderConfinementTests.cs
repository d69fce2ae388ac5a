using System.Net;
using System.Text.Json.Nodes;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Security;

/// <summary>
/// Issue 13, item 3: a steward's <c>file:</c> source stays in its own agency's drop folder, and no
/// symbolic link below the drop root is followed — at registration, at feed update and on the very
/// handle a run reads. Every refusal is audited as feed-source-refused.
/// </summary>
[TestFixture, Category("Security")]
public sealed class DropFolderConfinementTests : SecurityFixture
{
    [OneTimeSetUp]
    public void DropAnotherAgencysFile() =>
        File.WriteAllText(Factory.DropFile(B, "residents.csv"), "id,name,city\n440100,Resident of B,Guangzhou\n");

    [TestCase("file:sec-b/residents.csv", "foreign-folder")]
    [TestCase("file:residents.csv", "foreign-folder")]
    [TestCase("file:sec-a/../sec-b/residents.csv", "foreign-folder")]
    public async Task AnotherAgencysDropFile_IsRefusedAtRegistration_AndAudited(string source, string reason)
    {
        var id = $"{A}.stolen{Math.Abs(source.GetHashCode(StringComparison.Ordinal)) % 100000}";
        var problem = await RefusedRegistrationAsync(id, source);
        Assert.That(problem["errors"]![0]!["code"]!.GetValue<string>(), Is.EqualTo(reason));
        Assert.That(problem["detail"]!.GetValue<string>(), Does.Contain($"file:{A}/"), "the refusal says where the agency's files go");
        await AssertRefusalAuditedAsync(id, reason, A);
        var (status, _, _) = await Client(Keys[(A, "steward")]).SendAsync(HttpMethod.Get, $"/api/v1/datasets/{id}");
        Assert.That(status, Is.EqualTo(HttpStatusCode.NotFound), "nothing was registered");
    }

    [Test]
    public async Task LinkToAFileOutsideTheDropRoot_IsRefusedAtRegistration()
    {
        File.CreateSymbolicLink(Factory.DropFile(A, "passwd.csv"), "/etc/passwd");
        var problem = await RefusedRegistrationAsync($"{A}.passwd", $"file:{A}/passwd.csv");
        Assert.That(problem["errors"]![0]!["code"]!.GetValue<string>(), Is.EqualTo("symbolic-link"));
        await AssertRefusalAuditedAsync($"{A}.passwd", "symbolic-link", A);
    }

    [Test]
    public async Task LinkedFolderToAnotherAgency_IsRefusedAtRegistration()
    {
        Directory.CreateSymbolicLink(Factory.DropFile(A, "from-b"), Path.Combine(Factory.DropRoot, B));
        var problem = await RefusedRegistrationAsync($"{A}.linked", $"file:{A}/from-b/residents.csv");
        Assert.That(problem["errors"]![0]!["code"]!.GetValue<string>(), Is.EqualTo("symbolic-link"));
    }

    [TestCase("file")]
    [TestCase("folder")]
    public async Task SourceSwappedForALinkAfterRegistration_FailsTheRun_NamingTheCause_AndPublishesNothing(string swapped)
    {
        var id = $"{A}.swap-{swapped}";
        var steward = Client(Keys[(A, "steward")]);
        Directory.CreateDirectory(Factory.DropFile(A, swapped));
        File.WriteAllText(Factory.DropFile(A, $"{swapped}/people.csv"), "id,name,city\n1,Li Lei,Guangzhou\n");
        var manifest = Manifest(id);
        manifest["feed"]!["source"] = $"file:{A}/{swapped}/people.csv";
        await steward.PostAsync("/api/v1/datasets", manifest);

        // After registration the agency's file (or its folder) becomes a link into agency B's folder.
        if (swapped == "file")
        {
            File.Delete(Factory.DropFile(A, "file/people.csv"));
            File.CreateSymbolicLink(Factory.DropFile(A, "file/people.csv"), Factory.DropFile(B, "residents.csv"));
        }
        else
        {
            Directory.Delete(Factory.DropFile(A, "folder"), recursive: true);
            File.Copy(Factory.DropFile(B, "residents.csv"), Factory.DropFile(B, "people.csv"), overwrite: true);
            Directory.CreateSymbolicLink(Factory.DropFile(A, "folder"), Path.Combine(Factory.DropRoot, B));
        }
        var queued = await steward.PostAsync($"/api/v1/datasets/{id}/runs", null, HttpStatusCode.Accepted);
        var run = await steward.WaitForRunAsync(id, queued["id"]!.GetValue<string>());

        Assert.Multiple(() =>
        {
            Assert.That(run["status"]!.GetValue<string>(), Is.EqualTo("failed"), run.ToJsonString());
            Assert.That(run["error"]!.GetValue<string>(), Does.Contain("symbolic link"));
            Assert.That(run["error"]!.GetValue<string>(), Does.Not.Contain(B), "the run's error does not reveal where the link pointed");
        });
        Assert.That((await steward.GetAsync($"/api/v1/datasets/{id}/versions"))["items"]!.AsArray(), Is.Empty, "nothing of agency B's file was published");
        var entries = await AuditAsync();
        Assert.That(entries.Any(e => e["action"]!.GetValue<string>() == "feed-source-refused" && e["target"]!.GetValue<string>() == $"{id}/runs/{queued["id"]}"
            && e["details"]!["reason"]!.GetValue<string>() == "symbolic-link"), Is.True, "the refusal at fetch time is audited");
    }

    [Test]
    public async Task FeedUpdate_ToAnotherAgencysDropFile_IsRefused_AndAudited_AndChangesNothing()
    {
        var steward = Client(Keys[(A, "steward")]);
        var (status, problem, _) = await steward.SendAsync(HttpMethod.Put, $"/api/v1/datasets/{DatasetId}/feed",
            new JsonObject { ["source"] = $"file:{B}/residents.csv", ["format"] = "csv", ["cron"] = "0 1 * * *" });
        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest), problem?.ToJsonString());
        Assert.That(problem!["type"]!.GetValue<string>(), Is.EqualTo("urn:dataexchange:problem:feed-source-refused"));
        await AssertRefusalAuditedAsync(DatasetId, "foreign-folder", A);
        Assert.That((await steward.GetAsync($"/api/v1/datasets/{DatasetId}/feed"))["source"]!.GetValue<string>(), Is.EqualTo($"file:{A}/people.csv"));
    }

    async Task<JsonNode> RefusedRegistrationAsync(string id, string source)
    {
        var manifest = Manifest(id);
        manifest["feed"]!["source"] = source;
        var (status, problem, _) = await Client(Keys[(A, "steward")]).SendAsync(HttpMethod.Post, "/api/v1/datasets", manifest);
        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest), problem?.ToJsonString());
        Assert.That(problem!["type"]!.GetValue<string>(), Is.EqualTo("urn:dataexchange:problem:feed-source-refused"));
        Assert.That(problem["errors"]![0]!["pointer"]!.GetValue<string>(), Is.EqualTo("/feed/source"));
        return problem;
    }

    async Task AssertRefusalAuditedAsync(string target, string reason, string agency)
    {
        var entries = await AuditAsync();
        Assert.That(entries.Any(e => e["target"]?.GetValue<string>() == target && e["outcome"]!.GetValue<string>() == "denied"
            && e["actorAgency"]!.GetValue<string>() == agency && e["details"]!["reason"]!.GetValue<string>() == reason), Is.True,
            string.Join("\n", entries.Select(e => e.ToJsonString())));
    }

    async Task<List<JsonNode>> AuditAsync() =>
        [.. (await Admin.GetAsync("/api/v1/audit/entries?action=feed-source-refused&limit=1000"))["items"]!.AsArray().Select(e => e!)];
}
