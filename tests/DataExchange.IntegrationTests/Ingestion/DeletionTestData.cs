using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace DataExchange.IntegrationTests.Ingestion;

/// <summary>Payloads for the deliberate-deletion tests (issue 12): keys K001… with an integer amount.</summary>
static class DeletionTestData
{
    public static JsonObject Schema() => JsonNode.Parse("""
        {"type":"object","required":["code","amount"],"additionalProperties":false,
         "properties":{"code":{"type":"string"},"amount":{"type":"integer"}}}
        """)!.AsObject();

    public static string Key(int i) => "K" + i.ToString("D3", CultureInfo.InvariantCulture);

    /// <summary>CSV of keys <paramref name="from"/>..<paramref name="to"/>; <paramref name="amount"/> gives each key's cell (default: the key's number).</summary>
    public static string Csv(int from, int to, Func<int, string?>? amount = null, string? extraColumn = null, Func<int, string>? extra = null)
    {
        var csv = new StringBuilder(extraColumn is null ? "code,amount\n" : $"code,amount,{extraColumn}\n");
        for (var i = from; i <= to; i++)
        {
            csv.Append(Key(i)).Append(',').Append(amount?.Invoke(i) ?? i.ToString(CultureInfo.InvariantCulture));
            if (extra is not null) csv.Append(',').Append(extra(i));
            csv.Append('\n');
        }
        return csv.ToString();
    }

    /// <summary>The change feed of <paramref name="datasetId"/> since <paramref name="since"/> as (op, key).</summary>
    public static async Task<List<(string Op, string Key)>> ChangesAsync(IngestionHarness h, string datasetId, int since)
    {
        var page = await h.Steward.GetAsync($"/api/v1/datasets/{datasetId}/changes?since={since}&limit=1000");
        return [.. page["items"]!.AsArray().Select(i => (i!["op"]!.GetValue<string>(), i["key"]!.GetValue<string>()))];
    }

    /// <summary>The current records as key → amount.</summary>
    public static async Task<Dictionary<string, long>> AmountsAsync(IngestionHarness h, string datasetId) =>
        (await h.RecordsAsync(datasetId)).ToDictionary(r => r["code"]!.GetValue<string>(), r => r["amount"]!.GetValue<long>());

    /// <summary>The published version numbers, newest first.</summary>
    public static async Task<List<int>> VersionsAsync(IngestionHarness h, string datasetId) =>
        [.. (await h.Steward.GetAsync($"/api/v1/datasets/{datasetId}/versions"))["items"]!.AsArray().Select(v => v!["version"]!.GetValue<int>())];

    /// <summary>The dataset's audit entries with <paramref name="action"/>, newest first.</summary>
    public static async Task<List<JsonNode>> AuditAsync(IngestionHarness h, string datasetId, string action) =>
        [.. (await h.Admin.GetAsync($"/api/v1/audit/entries?dataset={datasetId}&action={action}&limit=1000"))["items"]!.AsArray().Select(e => e!)];
}
