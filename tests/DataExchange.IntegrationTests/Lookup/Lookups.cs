using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using DataExchange.IntegrationTests.Hosting;

namespace DataExchange.IntegrationTests.Lookup;

/// <summary>How the lookup tests call the API, and the subject hash they expect in the audit log.</summary>
public static class Lookups
{
    /// <summary>The server secret the lookup fixtures configure (Pull:HashKey): 32 zero bytes.</summary>
    public static readonly byte[] ServerSecret = new byte[32];

    /// <summary>GET …/records/{key} with <paramref name="segment"/> as sent (already encoded), the purpose header, and an optional query and Accept.</summary>
    public static async Task<(HttpStatusCode Status, string Body, HttpResponseMessage Response)> GetAsync(this ApiClient client, string datasetId, string segment,
        string? purpose = "testing", string query = "", string? accept = null, string? caseRef = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/datasets/{datasetId}/records/{segment}{query}");
        if (client.Key is not null && client.Http.DefaultRequestHeaders.Authorization is null) request.Headers.Authorization = new("Bearer", client.Key);
        if (purpose is not null) request.Headers.Add("Dx-Purpose", Uri.EscapeDataString(purpose));
        if (caseRef is not null) request.Headers.Add("Dx-Case-Ref", Uri.EscapeDataString(caseRef));
        if (accept is not null) request.Headers.Add("Accept", accept);
        var response = await client.Http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), response);
    }

    /// <summary>POST …/lookups with <paramref name="body"/>.</summary>
    public static async Task<(HttpStatusCode Status, JsonNode? Body)> BatchAsync(this ApiClient client, string datasetId, object body)
    {
        var response = await client.Http.PostAsJsonAsync($"/api/v1/datasets/{datasetId}/lookups", body);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    /// <summary>The subject hash the audit log should hold for <paramref name="storedKey"/>: HMAC-SHA256 under HKDF(secret, label) of dataset ‖ NUL ‖ key.</summary>
    public static string SubjectHash(string datasetId, string storedKey)
    {
        var key = HKDF.DeriveKey(HashAlgorithmName.SHA256, ServerSecret, 32, [], "dataexchange lookup subject hmac-sha256 v1"u8.ToArray());
        return Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{datasetId}\0{storedKey}")));
    }

    /// <summary>Audit entries of <paramref name="action"/> about <paramref name="datasetId"/>, newest last, as the operator's auditor sees them.</summary>
    public static async Task<List<JsonObject>> EntriesAsync(this ApiClient auditor, string datasetId, string action) =>
        (await auditor.GetAsync($"/api/v1/audit/entries?dataset={datasetId}&action={action}&limit=1000"))["items"]!.AsArray().Select(e => e!.AsObject()).ToList();
}
