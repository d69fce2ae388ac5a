using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Pull;

/// <summary>
/// Issue 12 (items 5 and 6): JSON and NDJSON write non-ASCII as UTF-8 and escape only what JSON requires;
/// CSV neutralises formulas in text cells only, so negative numbers load as numbers.
/// </summary>
[TestFixture]
public sealed class OutputFidelityTests
{
    PullTestBed _bed = null!;
    Hosting.ApiClient _consumer = null!;

    // Chinese, a supplementary-plane character, U+2028, a CR, a tab, a quote and a backslash: every class of escaping.
    const string Name = "广东省交通运输厅 𠀀😀 line\u2028sep\r\n\t\"q\"\\";

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _bed = await PullTestBed.StartAsync("output");
        await _bed.PublishAsync(
            new { id = "a", name = Name, city = "=HYPERLINK(\"x\")", age = -70 },
            new { id = "b", name = "-minus text", city = "+1", age = 0 },
            new { id = "c", name = "@at", city = "plain", age = 5 });
        _consumer = await _bed.NewConsumerAsync("out");
        await _bed.SubscribeAsync(_consumer, new { });
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _bed.DisposeAsync();

    static string Url(string tail) => $"/api/v1/datasets/{PullTestBed.DatasetId}/{tail}";

    async Task<string> GetTextAsync(string url, string? accept = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (accept is not null) request.Headers.Accept.ParseAdd(accept);
        using var response = await _consumer.Http.SendAsync(request);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), Encoding.UTF8.GetString(bytes));
        return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
    }

    /// <summary>The name as JSON writes it when only what JSON requires is escaped.</summary>
    const string MinimallyEscaped = "\"广东省交通运输厅 𠀀😀 line\u2028sep\\r\\n\\t\\\"q\\\"\\\\\"";

    [Test]
    public async Task JsonPage_WritesNonAsciiAsUtf8_AndEscapesOnlyWhatJsonRequires()
    {
        var text = await GetTextAsync(Url("records"));
        Assert.That(text, Does.Contain(MinimallyEscaped), text);
        Assert.That(text, Does.Not.Contain("\\u"), "no \\u escape is needed for any of these characters");
        Assert.That(JsonNode.Parse(text)!["items"]![0]!["name"]!.GetValue<string>(), Is.EqualTo(Name), "every code point comes back");
    }

    [Test]
    public async Task Ndjson_WritesNonAsciiAsUtf8_AndEveryCodePointComesBack()
    {
        var text = await GetTextAsync(Url("records"), "application/x-ndjson");
        var first = text.Split('\n')[0];
        Assert.That(first, Does.Contain(MinimallyEscaped));
        Assert.That(JsonNode.Parse(first)!["name"]!.GetValue<string>(), Is.EqualTo(Name));
    }

    [Test]
    public async Task ChangeFeed_WritesNonAsciiAsUtf8()
    {
        var text = await GetTextAsync(Url("changes?since=0"));
        Assert.That(text, Does.Contain(MinimallyEscaped));
    }

    [Test]
    public async Task Csv_PrefixesFormulaTextCells_ButNeverNumbers()
    {
        var text = await GetTextAsync(Url("records?format=csv"));
        var lines = text.Split("\r\n");
        Assert.That(lines[0], Is.EqualTo("id,name,phone,city,age,born"));
        Assert.That(lines[1], Does.StartWith("a,\"广东省交通运输厅 𠀀😀 line\u2028sep"), "non-ASCII text as UTF-8");
        Assert.That(lines.Skip(1).First(l => l.StartsWith("b,", StringComparison.Ordinal)), Is.EqualTo("b,'-minus text,,'+1,0,"), "text cells starting with - or + are neutralised");
        Assert.That(lines.Skip(1).First(l => l.StartsWith("c,", StringComparison.Ordinal)), Is.EqualTo("c,'@at,,plain,5,"));
        Assert.That(text, Does.Contain(",\"'=HYPERLINK(\"\"x\"\")\",-70,"), "a formula is neutralised and quoted; the negative number is not prefixed");
    }
}
