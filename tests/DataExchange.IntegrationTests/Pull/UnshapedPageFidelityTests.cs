using System.Net;
using System.Numerics;
using System.Text;
using System.Text.Json;
using Npgsql;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Pull;

/// <summary>
/// Issue 14: a policy that keeps every field serves records from PostgreSQL's jsonb text with jsonb's spaces
/// dropped, without parsing them; a masking policy parses and shapes them. Both must serve what the source
/// sent — numbers at any precision (1e400, 28 fraction digits, -0), every code point (supplementary planes,
/// U+2028, controls) and strings full of <c>, :</c> and spaces — and the unshaped bytes must be exactly the
/// compact JSON the shaping writer produces (the oracle here re-serialises the stored jsonb with
/// <see cref="System.Text.Json"/>), in record pages and in the change feed, across pages.
/// </summary>
[TestFixture]
public sealed class UnshapedPageFidelityTests
{
    const string Dataset = "own.exotic";
    PullTestBed _bed = null!;
    Hosting.ApiClient _plain = null!;
    Hosting.ApiClient _masked = null!;

    // The source, as sent (NDJSON lines, number literals exactly as written).
    static readonly string[] Source =
    [
        """{"id":"a","n":1e400,"s":"𠀀😀 line\u2028sep, a: b \"q\" \\ \t end","phone":"555-0101","o":{"a, b":[1, 2.50, {"k: v":"x, y"}],"e":[],"t":true,"z":null}}""",
        """{"id":"b","n":0.1000000000000000000000000001,"s":"\u0001 ctrl \u001f, : ","phone":"555-0102","o":{}}""",
        """{"id":"c","n":-0,"s":"   spaces   ","phone":"555-0103","o":{"neg":-1.50e-3}}""",
        """{"id":"d","n":123456789012345678901234567890.123456789,"s":"ＡＢ \\\"","phone":"555-0104","o":{"big":1E+25,"s":" \" , "}}""",
    ];

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _bed = await PullTestBed.StartAsync("unshaped");
        var schema = JsonDocument.Parse("""
            {"type":"object","required":["id"],"additionalProperties":false,
             "properties":{"id":{"type":"string"},"n":{"type":"number"},"s":{"type":"string"},"phone":{"type":"string"},"o":{"type":"object"}}}
            """).RootElement;
        await _bed.Steward.PostAsync("/api/v1/datasets", new
        {
            id = Dataset, title = "Exotic", description = "Edge values", keyFields = new[] { "id" }, classification = "public",
            tags = new[] { "test" }, schema, feed = new { source = "upload", format = "ndjson", mode = "snapshot" },
        });
        var (status, run, _) = await _bed.Steward.SendAsync(HttpMethod.Post, $"/api/v1/datasets/{Dataset}/uploads",
            content: new StringContent(string.Join("\n", Source), Encoding.UTF8, "application/x-ndjson"));
        Assert.That(status, Is.EqualTo(HttpStatusCode.Accepted), run?.ToJsonString());
        var done = await _bed.Steward.WaitForRunAsync(Dataset, run!["id"]!.ToString());
        Assert.That(done["status"]!.GetValue<string>(), Is.EqualTo("succeeded"), done.ToJsonString());
        _plain = await _bed.NewConsumerAsync("plain");
        await _bed.SubscribeAsync(_plain, new { }, datasetId: Dataset);
        _masked = await _bed.NewConsumerAsync("masked");
        await _bed.SubscribeAsync(_masked, new { masks = new { phone = "hash" } }, datasetId: Dataset);
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _bed.DisposeAsync();

    [Test]
    public async Task UnshapedPages_AreTheStoredRecordsAsCompactJson_AndEqualTheSource()
    {
        var served = await ItemsAsync(_plain, $"/api/v1/datasets/{Dataset}/records?limit=2", "items", item => item.GetProperty("id").GetString()!);
        var stored = await StoredAsync();
        Assert.That(served.Keys, Is.EquivalentTo(stored.Keys));
        foreach (var (key, text) in served)
        {
            Assert.That(text, Is.EqualTo(Reserialised(stored[key])), $"record {key}: the bytes the shaping writer would produce");
            AssertEqualsSource(key, text);
        }
        Assert.That(served["a"], Does.Contain("\"n\":1" + new string('0', 400) + ","), "1e400 at full precision");
        Assert.That(served["a"], Does.Contain("\"a, b\":[1,2.50,{\"k: v\":\"x, y\"}]"), "spaces inside strings kept, those between tokens dropped");
        Assert.That(served["a"], Does.Contain("\"𠀀😀 line\u2028sep, a: b \\\"q\\\" \\\\ \\t end\""), "code points as UTF-8, only what JSON requires escaped");
        Assert.That(served["b"], Does.Contain("\"n\":0.1000000000000000000000000001,"));
        Assert.That(served["b"], Does.Contain("\"\\u0001 ctrl \\u001f, : \""));
        Assert.That(served["c"], Does.Contain("\"n\":0,"), "-0 as jsonb stores it");
    }

    [Test]
    public async Task MaskedPages_ShapeOnlyTheMaskedField_AndKeepEveryOtherValueByteForByte()
    {
        var plain = await ItemsAsync(_plain, $"/api/v1/datasets/{Dataset}/records?limit=3", "items", item => item.GetProperty("id").GetString()!);
        var masked = await ItemsAsync(_masked, $"/api/v1/datasets/{Dataset}/records?limit=3", "items", item => item.GetProperty("id").GetString()!);
        Assert.That(masked.Keys, Is.EquivalentTo(plain.Keys));
        foreach (var key in plain.Keys) AssertMaskedOnly(key, plain[key], masked[key]);
    }

    [Test]
    public async Task ChangeFeed_UnshapedAndMasked_CarryTheSameRecordsAsThePages()
    {
        var pages = await ItemsAsync(_plain, $"/api/v1/datasets/{Dataset}/records", "items", item => item.GetProperty("id").GetString()!);
        string KeyOf(JsonElement change)
        {
            Assert.That(change.GetProperty("op").GetString(), Is.EqualTo("insert"));
            return change.GetProperty("key").GetString()!;
        }
        var plain = await ItemsAsync(_plain, $"/api/v1/datasets/{Dataset}/changes?since=0&limit=2", "items", KeyOf, "record");
        var masked = await ItemsAsync(_masked, $"/api/v1/datasets/{Dataset}/changes?since=0&limit=3", "items", KeyOf, "record");
        Assert.That(plain.Keys, Is.EquivalentTo(pages.Keys));
        foreach (var (key, text) in plain)
        {
            Assert.That(text, Is.EqualTo(pages[key]), $"change {key}: the record as the page serves it");
            AssertEqualsSource(key, text);
            AssertMaskedOnly(key, text, masked[key]);
        }
    }

    /// <summary>Every page of <paramref name="url"/> (following <c>next</c>): each item's raw text (or its <paramref name="member"/>'s), by key.</summary>
    static async Task<Dictionary<string, string>> ItemsAsync(Hosting.ApiClient client, string url, string list, Func<JsonElement, string> keyOf, string? member = null)
    {
        var items = new Dictionary<string, string>();
        for (var page = 0; url is not null; page++)
        {
            Assert.That(page, Is.LessThan(10), "the pages end");
            using var response = await client.GetRawAsync(url);
            var bytes = await response.Content.ReadAsByteArrayAsync();
            var text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
            using var doc = JsonDocument.Parse(bytes);
            foreach (var item in doc.RootElement.GetProperty(list).EnumerateArray())
                items.Add(keyOf(item), (member is null ? item : item.GetProperty(member)).GetRawText());
            url = doc.RootElement.TryGetProperty("next", out var next)
                ? $"{url.Split('?')[0]}?{string.Join('&', url.Split('?')[1].Split('&').Where(p => !p.StartsWith("after=", StringComparison.Ordinal)))}&after={Uri.EscapeDataString(next.GetString()!)}"
                : null!;
        }
        return items;
    }

    /// <summary>The current rows' jsonb text, straight from PostgreSQL.</summary>
    async Task<Dictionary<string, string>> StoredAsync()
    {
        await using var conn = new NpgsqlConnection(_bed.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("select key, data::text from dx.records where dataset_id = $1 and valid_to is null", conn) { Parameters = { new() { Value = Dataset } } };
        await using var r = await cmd.ExecuteReaderAsync();
        var rows = new Dictionary<string, string>();
        while (await r.ReadAsync()) rows.Add(r.GetString(0), r.GetString(1));
        Assert.That(rows["a"], Does.Contain(", "), "jsonb's own text has the spaces the unshaped path drops");
        return rows;
    }

    /// <summary>The oracle: jsonb's text parsed and written again compactly, as the shaping path writes records.</summary>
    static string Reserialised(string jsonb)
    {
        using var doc = JsonDocument.Parse(jsonb);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, Core.Common.Json.WriterOptions)) doc.RootElement.WriteTo(writer);
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Every member of the served record equals the source's: strings code point for code point, numbers as exact decimals.</summary>
    static void AssertEqualsSource(string key, string served)
    {
        using var source = JsonDocument.Parse(Source.Single(s => s.Contains($"\"id\":\"{key}\"", StringComparison.Ordinal)));
        using var got = JsonDocument.Parse(served);
        AssertSameValue(source.RootElement, got.RootElement, key);
    }

    static void AssertSameValue(JsonElement expected, JsonElement actual, string path)
    {
        Assert.That(actual.ValueKind, Is.EqualTo(expected.ValueKind), path);
        switch (expected.ValueKind)
        {
            case JsonValueKind.Object:
                Assert.That(actual.EnumerateObject().Select(p => p.Name), Is.EquivalentTo(expected.EnumerateObject().Select(p => p.Name)), path);
                foreach (var p in expected.EnumerateObject()) AssertSameValue(p.Value, actual.GetProperty(p.Name), $"{path}/{p.Name}");
                break;
            case JsonValueKind.Array:
                Assert.That(actual.GetArrayLength(), Is.EqualTo(expected.GetArrayLength()), path);
                foreach (var (e, a) in expected.EnumerateArray().Zip(actual.EnumerateArray())) AssertSameValue(e, a, path + "/[]");
                break;
            case JsonValueKind.String:
                Assert.That(actual.GetString(), Is.EqualTo(expected.GetString()), path);
                break;
            case JsonValueKind.Number:
                Assert.That(ExactDecimal(actual.GetRawText()), Is.EqualTo(ExactDecimal(expected.GetRawText())), $"{path}: {actual.GetRawText()} for {expected.GetRawText()}");
                break;
        }
    }

    /// <summary>A JSON number as (unscaled digits, scale) with trailing zeros removed: equal values, equal pairs (-0 is 0).</summary>
    static (BigInteger Digits, int Scale) ExactDecimal(string number)
    {
        var e = number.IndexOfAny(['e', 'E']);
        var exponent = e < 0 ? 0 : int.Parse(number[(e + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        var mantissa = e < 0 ? number : number[..e];
        var point = mantissa.IndexOf('.');
        var scale = (point < 0 ? 0 : mantissa.Length - point - 1) - exponent;
        var digits = BigInteger.Parse(mantissa.Replace(".", ""), System.Globalization.CultureInfo.InvariantCulture);
        if (digits.IsZero) return (0, 0);
        while (digits % 10 == 0) (digits, scale) = (digits / 10, scale - 1);
        return (digits, scale);
    }

    /// <summary>The masked record has the plain one's members in the same order and bytes, but the phone hashed.</summary>
    static void AssertMaskedOnly(string key, string plain, string masked)
    {
        using var p = JsonDocument.Parse(plain);
        using var m = JsonDocument.Parse(masked);
        var plainMembers = p.RootElement.EnumerateObject().ToList();
        var maskedMembers = m.RootElement.EnumerateObject().ToList();
        Assert.That(maskedMembers.Select(x => x.Name), Is.EqualTo(plainMembers.Select(x => x.Name)), key);
        foreach (var (a, b) in plainMembers.Zip(maskedMembers))
        {
            if (a.Name == "phone")
            {
                Assert.That(b.Value.GetString(), Does.Match("^[0-9a-f]{64}$").And.Not.EqualTo(a.Value.GetString()), $"{key}: phone hashed");
                continue;
            }
            Assert.That(b.Value.GetRawText(), Is.EqualTo(a.Value.GetRawText()), $"{key}/{a.Name}: the same bytes shaped and unshaped");
        }
    }
}
