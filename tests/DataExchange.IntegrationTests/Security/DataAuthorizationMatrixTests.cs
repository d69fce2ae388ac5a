using System.Net;
using System.Text.Json.Nodes;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Security;

/// <summary>
/// Issue 13 acceptance: the authorisation matrix extended to the data itself. Every key of every role
/// in the owning, consuming and unrelated agency (plus expired, revoked, missing and garbage keys) ×
/// records and change feed × JSON, NDJSON and CSV × without a cursor, with the consumer's own cursor
/// and with a forged one. Only the owner and the approved consumer are served; a cursor works for the
/// caller it was issued to and no one else; and no refusal carries a byte of the data (values, keys,
/// counts) in its body or headers.
/// </summary>
[TestFixture, Category("Security")]
public sealed class DataAuthorizationMatrixTests : SecurityFixture
{
    static readonly string[] Lists = ["records", "changes"];
    static readonly string[] Formats = ["json", "ndjson", "csv"];

    // Every value of the published rows: none of them may appear in a refusal.
    static readonly string[] DataValues = ["Li Lei", "Han Meimei", "Guangzhou", "Shenzhen"];

    static bool Allowed(string agency, string role) => agency == A || (agency == B && role == "consumer");

    [Test]
    public async Task RecordsAndChanges_InEveryFormat_ServeOnlyTheirReaders_AndRefusalsCarryNoData()
    {
        var unexpected = new List<string>();
        var calls = 0;
        foreach (var list in Lists)
            foreach (var format in Formats)
            {
                var path = Path(list, format, after: null);
                foreach (var ((agency, role), key) in Keys)
                {
                    var (status, body, headers) = await SendAsync(key, path);
                    calls++;
                    if (Allowed(agency, role))
                    {
                        if (status != HttpStatusCode.OK || !body.Contains("Li Lei", StringComparison.Ordinal))
                            unexpected.Add($"{path} as {role}@{agency}: expected the rows, got {(int)status} {Short(body)}");
                    }
                    else if (status is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden or HttpStatusCode.NotFound))
                        unexpected.Add($"{path} as {role}@{agency}: expected denied, got {(int)status} {Short(body)}");
                    else
                        LeakCheck(unexpected, $"{path} as {role}@{agency}", body, headers);
                }
                foreach (var (label, key) in new[] { ("expired key", ExpiredKey), ("revoked key", RevokedKey), ("no key", (string?)null), ("garbage key", "dx_nothing_here") })
                {
                    var (status, body, headers) = await SendAsync(key, path);
                    calls++;
                    if (status != HttpStatusCode.Unauthorized) unexpected.Add($"{path} with {label}: expected 401, got {(int)status}");
                    LeakCheck(unexpected, $"{path} with {label}", body, headers);
                }
            }
        Assert.That(unexpected, Is.Empty, $"{unexpected.Count} unexpected answers out of {calls} calls");
    }

    [Test]
    public async Task TheConsumersCursor_InEveryFormat_WorksForItsOwnerOnly()
    {
        var consumer = Keys[(B, "consumer")];
        var unexpected = new List<string>();
        foreach (var list in Lists)
        {
            var cursor = await FirstPageCursorAsync(consumer, list);
            foreach (var format in Formats)
            {
                var path = Path(list, format, cursor);
                var (ownStatus, ownBody, _) = await SendAsync(consumer, path);
                // The first page held the first row (key 1); after the cursor comes key 2 only.
                if (ownStatus != HttpStatusCode.OK || !ownBody.Contains("Han Meimei", StringComparison.Ordinal) || ownBody.Contains("Li Lei", StringComparison.Ordinal))
                    unexpected.Add($"{path} as its own consumer: expected the row after the cursor, got {(int)ownStatus} {Short(ownBody)}");
                foreach (var ((agency, role), key) in Keys.Where(k => k.Value != consumer))
                {
                    var (status, body, headers) = await SendAsync(key, path);
                    // The owner may read the dataset, but not with a cursor issued to somebody else: 400 invalid-cursor.
                    if (status is not (HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden or HttpStatusCode.NotFound))
                        unexpected.Add($"{path} as {role}@{agency} with B's cursor: expected refused, got {(int)status} {Short(body)}");
                    else
                        LeakCheck(unexpected, $"{path} as {role}@{agency} with B's cursor", body, headers);
                }
            }
            // A cursor of one list is no cursor of the other.
            var other = list == "records" ? "changes" : "records";
            var (crossStatus, crossBody, _) = await SendAsync(consumer, Path(other, "json", cursor));
            if (crossStatus != HttpStatusCode.BadRequest) unexpected.Add($"a {list} cursor on {other}: expected 400, got {(int)crossStatus} {Short(crossBody)}");
            // One flipped character: refused, never a different position.
            var forged = cursor[..^2] + (cursor[^2] == 'A' ? 'B' : 'A') + cursor[^1];
            var (forgedStatus, forgedBody, _) = await SendAsync(consumer, Path(list, "json", forged));
            if (forgedStatus != HttpStatusCode.BadRequest) unexpected.Add($"a forged {list} cursor: expected 400, got {(int)forgedStatus} {Short(forgedBody)}");
        }
        Assert.That(unexpected, Is.Empty);
    }

    async Task<string> FirstPageCursorAsync(string key, string list)
    {
        var (status, body, _) = await SendAsync(key, $"/api/v1/datasets/{DatasetId}/{list}?limit=1" + (list == "changes" ? "&since=0" : ""));
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body);
        return JsonNode.Parse(body)!["next"]!.GetValue<string>();
    }

    static string Path(string list, string format, string? after)
    {
        var path = $"/api/v1/datasets/{DatasetId}/{list}?format={format}";
        if (list == "changes") path += "&since=0";
        if (after is not null) path += "&after=" + Uri.EscapeDataString(after);
        return path;
    }

    static void LeakCheck(List<string> unexpected, string call, string body, string headers)
    {
        foreach (var value in DataValues)
            if (body.Contains(value, StringComparison.Ordinal) || headers.Contains(value, StringComparison.Ordinal))
                unexpected.Add($"{call}: the refusal carries '{value}'");
        if (headers.Contains("ETag", StringComparison.OrdinalIgnoreCase) || headers.Contains("Link:", StringComparison.OrdinalIgnoreCase))
            unexpected.Add($"{call}: the refusal carries an ETag or Link header");
    }

    static string Short(string body) => body.Length > 300 ? body[..300] : body;

    async Task<(HttpStatusCode Status, string Body, string Headers)> SendAsync(string? key, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (key is not null) request.Headers.Authorization = new("Bearer", key);
        using var response = await Factory.CreateClient().SendAsync(request);
        var headers = string.Join("\n", response.Headers.Concat(response.Content.Headers).Select(h => $"{h.Key}: {string.Join(",", h.Value)}"));
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), headers);
    }
}
