using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Pull;

/// <summary>Issue 13, item 1: the change feed's key is shaped by the policy exactly like the key field it comes from.</summary>
[TestFixture]
public sealed class KeyShapingTests
{
    PullTestBed _bed = null!;
    Hosting.ApiClient _hashed = null!;
    Hosting.ApiClient _keyless = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _bed = await PullTestBed.StartAsync("keys", new Dictionary<string, string?> { ["Pull:HashKey"] = Convert.ToBase64String(new byte[32]) });
        await _bed.PublishAsync(new { id = "p1", name = "A" }, new { id = "p2", name = "B" }, new { id = "p3", name = "C" });
        await _bed.PublishAsync(new { id = "p1", name = "A2" }, new { id = "p3", name = "C" }, new { id = "p4", name = "D" });
        _hashed = await _bed.NewConsumerAsync("hashed");
        await _bed.SubscribeAsync(_hashed, new { masks = new { id = "hash" } });
        _keyless = await _bed.NewConsumerAsync("keyless");
        await _bed.SubscribeAsync(_keyless, new { fields = new[] { "name" } });
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _bed.DisposeAsync();

    static string Url(string tail) => $"/api/v1/datasets/{PullTestBed.DatasetId}/{tail}";

    static string Hmac(string value) => Convert.ToHexStringLower(HMACSHA256.HashData(new byte[32], Encoding.UTF8.GetBytes(value)));

    [Test]
    public async Task ChangeKeysAsJson_OfAHashedKeyField_AreTheHashedFieldValues_TombstonesIncluded()
    {
        var items = (await _hashed.GetAsync(Url("changes?since=1")))["items"]!.AsArray();
        Assert.That(items.Select(i => i!["key"]!.GetValue<string>()), Is.EquivalentTo(new[] { "p1", "p2", "p4" }.Select(Hmac)));
        foreach (var item in items.Where(i => i!["record"] is not null))
            Assert.That(item!["key"]!.GetValue<string>(), Is.EqualTo(item["record"]!["id"]!.GetValue<string>()));
    }

    [Test]
    public async Task ChangeKeysAsNdjson_OfAHashedKeyField_AreTheHashedFieldValues()
    {
        var text = await _hashed.Http.GetStringAsync(Url("changes?since=1&format=ndjson"));
        var keys = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!["key"]!.GetValue<string>());
        Assert.That(keys, Is.EquivalentTo(new[] { "p1", "p2", "p4" }.Select(Hmac)));
        Assert.That(text, Does.Not.Contain("\"p1\"").And.Not.Contain("\"p2\""));
    }

    [Test]
    public async Task ChangeKeysAsCsv_OfAHashedKeyField_EqualTheHashedIdColumn()
    {
        var lines = (await _hashed.Http.GetStringAsync(Url("changes?since=1&format=csv"))).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var header = lines[0].Split(',');
        var (key, id) = (Array.IndexOf(header, "_key"), Array.IndexOf(header, "id"));
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToList();
        Assert.That(rows.Select(r => r[key]), Is.EquivalentTo(new[] { "p1", "p2", "p4" }.Select(Hmac)));
        foreach (var row in rows.Where(r => r[0] != "delete")) Assert.That(row[key], Is.EqualTo(row[id]));
    }

    [Test]
    public async Task ChangeKeys_OfAKeyFieldOutsideThePolicysFields_AreNotShownInAnyFormat()
    {
        var page = await _keyless.GetAsync(Url("changes?since=1"));
        Assert.That(page["items"]!.AsArray().Select(i => i!.AsObject().ContainsKey("key")), Has.All.False);
        var ndjson = await _keyless.Http.GetStringAsync(Url("changes?since=1&format=ndjson"));
        var csv = await _keyless.Http.GetStringAsync(Url("changes?since=1&format=csv"));
        foreach (var text in new[] { page.ToJsonString(), ndjson, csv })
            Assert.That(text, Does.Not.Contain("p1").And.Not.Contain("p2").And.Not.Contain("p4"));
    }

    [Test]
    public async Task ChangeKeys_SeenByTheOwner_AreRaw()
    {
        var items = (await _bed.Steward.GetAsync(Url("changes?since=1")))["items"]!.AsArray();
        Assert.That(items.Select(i => i!["key"]!.GetValue<string>()), Is.EqualTo(new[] { "p1", "p2", "p4" }));
    }
}
