using System.Globalization;
using System.Net;
using System.Numerics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Ingestion;

/// <summary>
/// Issue 12, acceptance: a seeded, reproducible property test. 10,000 generated records with edge numbers
/// (tiny, huge, long mantissas, exponents, negative zero, integers beyond 2^64) and strings from every
/// Unicode plane (controls, U+2028, noncharacters, supplementary planes) are ingested as NDJSON, as a JSON
/// array and as CSV, then pulled as JSON pages, NDJSON and CSV, snapshot and change feed: every value must
/// equal the generated one exactly (numbers compared as exact decimals by an oracle written here, not the
/// exchange's own arithmetic).
/// </summary>
[TestFixture]
public sealed class FidelityRoundTripTests
{
    const int Seed = 20261201;
    const int Count = 10_000;

    static readonly JsonObject Schema = JsonNode.Parse("""
        {"type":"object","required":["id"],"additionalProperties":false,
         "properties":{"id":{"type":"string"},"n":{"type":"number"},"i":{"type":"integer"},"s":{"type":"string"}}}
        """)!.AsObject();

    IngestionHarness _h = null!;
    List<Generated> _records = null!;
    readonly Dictionary<string, string> _datasets = [];

    sealed record Generated(string Id, string? N, string? I, string? S);

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _h = await IngestionHarness.StartAsync("fidelity");
        _records = Generate(new Random(Seed), Count);
        foreach (var (format, payload) in new[] { ("ndjson", Ndjson(_records)), ("json", JsonArray(_records)), ("csv", Csv(_records)) })
        {
            var id = await _h.RegisterAsync("rt-" + format, ["id"], Schema, new { source = "upload", format, rejectThreshold = 0.0 });
            var run = await PushAsync(id, payload);
            Assert.That(IngestionHarness.Status(run), Is.EqualTo("succeeded"), run.ToJsonString());
            Assert.That(IngestionHarness.Count(run, "inserted"), Is.EqualTo(Count), run.ToJsonString());
            _datasets[format] = id;
        }
    }

    [OneTimeTearDown]
    public void Stop() => _h.Dispose();

    async Task<JsonNode> PushAsync(string datasetId, byte[] payload)
    {
        var (status, body, _) = await _h.Steward.SendAsync(HttpMethod.Post, $"/api/v1/datasets/{datasetId}/uploads", content: new ByteArrayContent(payload) { Headers = { ContentType = new("application/octet-stream") } });
        Assert.That(status, Is.EqualTo(HttpStatusCode.Accepted), body?.ToJsonString());
        return await _h.Steward.WaitForRunAsync(datasetId, body!["id"]!.GetValue<string>(), TimeSpan.FromMinutes(3));
    }

    static IEnumerable<TestCaseData> Cases()
    {
        foreach (var ingested in new[] { "ndjson", "json", "csv" })
            foreach (var pulled in new[] { "json", "ndjson", "csv" })
                foreach (var feed in new[] { "records", "changes" })
                    yield return new TestCaseData(ingested, pulled, feed).SetName($"RoundTrip_IngestedAs{ingested}_PulledAs{pulled}_{feed}_EqualsTheSource");
    }

    [TestCaseSource(nameof(Cases))]
    public async Task RoundTrip(string ingested, string pulled, string feed)
    {
        var id = _datasets[ingested];
        var path = feed == "records" ? $"/api/v1/datasets/{id}/records" : $"/api/v1/datasets/{id}/changes?since=0";
        var served = pulled switch
        {
            "json" => await JsonPagesAsync(path, feed),
            "ndjson" => ParseNdjson(await GetTextAsync(path, "ndjson"), feed),
            _ => ParseCsv(await GetTextAsync(path, "csv"), feed),
        };
        Assert.That(served, Has.Count.EqualTo(Count));
        var mismatches = new List<string>();
        foreach (var expected in _records)
        {
            if (!served.TryGetValue(expected.Id, out var got)) { mismatches.Add($"{expected.Id}: missing"); continue; }
            if (!SameNumber(expected.N, got.N)) mismatches.Add($"{expected.Id}.n: sent {expected.N}, served {got.N}");
            if (!SameNumber(expected.I, got.I)) mismatches.Add($"{expected.Id}.i: sent {expected.I}, served {got.I}");
            var s = pulled == "csv" && expected.S is { Length: > 0 } t && t[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + t : expected.S;
            if (s != got.S) mismatches.Add($"{expected.Id}.s: sent {Show(s)}, served {Show(got.S)}");
        }
        Assert.That(mismatches, Is.Empty, $"{mismatches.Count} mismatches, first: {string.Join("; ", mismatches.Take(5))}");
    }

    static string Show(string? s) => s is null ? "(absent)" : string.Concat(s.EnumerateRunes().Select(r => r.Value is >= 0x20 and < 0x7f ? r.ToString() : $"U+{r.Value:X4}"));

    // ---- generation -------------------------------------------------------------------------------

    static readonly string[] EdgeNumbers =
    [
        "1e-30", "0.30000000000000000000000000001", "12345678901234567890.123456789012345", "1e308", "1e400", "-1e400", "1e-400",
        "-0.0", "-0", "0", "131", "1E+2", "4.9e-324", "1.7976931348623157e308", "0.1", "-70.02741234567890123", "1.50", "100e-2",
    ];

    static readonly string[] EdgeIntegers = ["18446744073709551617", "-9223372036854775809", "340282366920938463463374607431768211457", "0", "-0", "7"];

    static List<Generated> Generate(Random random, int count)
    {
        var list = new List<Generated>(count);
        for (var k = 0; k < count; k++)
        {
            var id = $"k{k:D5}" + (k % 7 == 0 ? "-广东" : k % 11 == 0 ? "-😀" : "");
            var n = k < EdgeNumbers.Length ? EdgeNumbers[k] : random.Next(10) == 0 ? null : Number(random);
            var i = k < EdgeIntegers.Length ? EdgeIntegers[k] : random.Next(10) == 0 ? null : Integer(random);
            var s = random.Next(12) == 0 ? null : Text(random);
            list.Add(new Generated(id, n, i, s));
        }
        return list;
    }

    static string Digits(Random random, int n)
    {
        var sb = new StringBuilder(n);
        sb.Append((char)('1' + random.Next(9)));
        for (var d = 1; d < n; d++) sb.Append((char)('0' + random.Next(10)));
        return sb.ToString();
    }

    static string Integer(Random random) =>
        (random.Next(3) == 0 ? "-" : "") + (random.Next(8) == 0 ? "0" : Digits(random, 1 + random.Next(random.Next(4) == 0 ? 60 : 19)));

    static string Number(Random random)
    {
        var sign = random.Next(3) == 0 ? "-" : "";
        var whole = random.Next(5) == 0 ? "0" : Digits(random, 1 + random.Next(30));
        var fraction = random.Next(3) == 0 ? "" : "." + new string([.. Enumerable.Range(0, 1 + random.Next(40)).Select(_ => (char)('0' + random.Next(10)))]);
        var exponent = random.Next(3) == 0 ? "" : (random.Next(2) == 0 ? "e" : "E") + (random.Next(3) switch { 0 => "-", 1 => "+", _ => "" }) + random.Next(random.Next(4) == 0 ? 500 : 40);
        return sign + whole + fraction + exponent;
    }

    /// <summary>1–24 code points from every plane and class; never NUL (PostgreSQL text cannot hold it: quarantined by design) nor a lone surrogate.</summary>
    static string Text(Random random)
    {
        var sb = new StringBuilder();
        var n = 1 + random.Next(24);
        for (var c = 0; c < n; c++)
        {
            var cp = random.Next(10) switch
            {
                0 => 1 + random.Next(0x1f),                          // C0 controls, \t \r \n among them
                1 => 0x7f + random.Next(0x21),                       // DEL and C1 controls
                2 => random.Next(2) == 0 ? 0x2028 : 0x2029,         // line and paragraph separators
                3 => new[] { 0xFEFF, 0xFFFE, 0xFFFF, 0xFFFD, '"', '\\', '=', '-', ',' }[random.Next(9)],
                4 => 0x10000 + random.Next(0x100000),              // supplementary planes, private use included
                5 => 0x4E00 + random.Next(0x5000),                   // CJK
                _ => RandomBmp(random),
            };
            sb.Append(char.ConvertFromUtf32(cp));
        }
        return sb.ToString();
    }

    static int RandomBmp(Random random)
    {
        while (true)
        {
            var cp = 0x20 + random.Next(0xFFE0);
            if (cp is < 0xD800 or > 0xDFFF) return cp;
        }
    }

    // ---- payloads ---------------------------------------------------------------------------------

    static void WriteRecord(Utf8JsonWriter w, Generated r)
    {
        w.WriteStartObject();
        w.WriteString("id", r.Id);
        if (r.N is not null) { w.WritePropertyName("n"); w.WriteRawValue(r.N, skipInputValidation: true); }
        if (r.I is not null) { w.WritePropertyName("i"); w.WriteRawValue(r.I, skipInputValidation: true); }
        if (r.S is not null) w.WriteString("s", r.S);
        w.WriteEndObject();
    }

    /// <summary>NDJSON with non-ASCII as raw UTF-8.</summary>
    static byte[] Ndjson(List<Generated> records)
    {
        using var buffer = new MemoryStream();
        var options = new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        foreach (var r in records)
        {
            using (var w = new Utf8JsonWriter(buffer, options)) WriteRecord(w, r);
            buffer.WriteByte((byte)'\n');
        }
        return buffer.ToArray();
    }

    /// <summary>A JSON array with every non-ASCII character \u-escaped (surrogate pairs for the supplementary planes), indented.</summary>
    static byte[] JsonArray(List<Generated> records)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartArray();
            foreach (var r in records) WriteRecord(w, r);
            w.WriteEndArray();
        }
        return buffer.ToArray();
    }

    /// <summary>RFC 4180 CSV, every cell quoted, CRLF rows (a string's own CR/LF stay inside its quotes).</summary>
    static byte[] Csv(List<Generated> records)
    {
        var sb = new StringBuilder("id,n,i,s\r\n");
        static string Q(string? v) => v is null ? "" : "\"" + v.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
        foreach (var r in records) sb.Append(Q(r.Id)).Append(',').Append(r.N).Append(',').Append(r.I).Append(',').Append(Q(r.S)).Append("\r\n");
        return new UTF8Encoding(false).GetBytes(sb.ToString());
    }

    // ---- reading what is served -----------------------------------------------------------------

    sealed record Served(string? N, string? I, string? S);

    async Task<string> GetTextAsync(string path, string format)
    {
        var response = await _h.Steward.GetRawAsync(path + (path.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "format=" + format);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
    }

    static Served FromJson(JsonElement record) => new(Raw(record, "n"), Raw(record, "i"), record.TryGetProperty("s", out var s) ? s.GetString() : null);

    static string? Raw(JsonElement record, string name) => record.TryGetProperty(name, out var v) ? v.GetRawText() : null;

    static (string Key, JsonElement Record) Item(JsonElement item, string feed) =>
        feed == "records" ? (item.GetProperty("id").GetString()!, item) : (item.GetProperty("key").GetString()!, item.GetProperty("record"));

    async Task<Dictionary<string, Served>> JsonPagesAsync(string path, string feed)
    {
        var served = new Dictionary<string, Served>(StringComparer.Ordinal);
        string? after = null;
        do
        {
            var url = path + (path.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "limit=1000" + (after is null ? "" : "&after=" + Uri.EscapeDataString(after));
            var response = await _h.Steward.GetRawAsync(url);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            using var page = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync());
            foreach (var item in page.RootElement.GetProperty("items").EnumerateArray())
            {
                var (key, record) = Item(item, feed);
                served[key] = FromJson(record);
            }
            after = page.RootElement.TryGetProperty("next", out var next) ? next.GetString() : null;
        } while (after is not null);
        return served;
    }

    static Dictionary<string, Served> ParseNdjson(string text, string feed)
    {
        var served = new Dictionary<string, Served>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var doc = JsonDocument.Parse(line);
            var (key, record) = Item(doc.RootElement, feed);
            served[key] = FromJson(record);
        }
        return served;
    }

    static Dictionary<string, Served> ParseCsv(string text, string feed)
    {
        var served = new Dictionary<string, Served>(StringComparer.Ordinal);
        using var input = new MemoryStream(Encoding.UTF8.GetBytes(text));
        using var csv = CsvHelper.CsvReader.Create(input, new CsvHelper.CsvReaderOptions { HasHeader = true }, leaveOpen: true);
        var columns = csv.Headers.ToList();
        string? Cell(string name) => csv.GetString(columns.IndexOf(name)) is { Length: > 0 } v ? v : null;
        while (csv.Read())
            served[Cell(feed == "records" ? "id" : "_key")!] = new Served(Cell("n"), Cell("i"), Cell("s"));
        return served;
    }

    // ---- the oracle: exact decimal equality of two JSON number texts ------------------------------

    static bool SameNumber(string? a, string? b) => a is null || b is null ? a == b : Exact(a) == Exact(b);

    /// <summary>The exact value of a JSON number as (significand without trailing zeros, exponent); zero is (0, 0).</summary>
    static (BigInteger Significand, long Exponent) Exact(string text)
    {
        var e = text.IndexOfAny(['e', 'E']);
        long exponent = e < 0 ? 0 : long.Parse(text[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var mantissa = e < 0 ? text : text[..e];
        var point = mantissa.IndexOf('.', StringComparison.Ordinal);
        if (point >= 0)
        {
            exponent -= mantissa.Length - point - 1;
            mantissa = mantissa.Remove(point, 1);
        }
        var significand = BigInteger.Parse(mantissa, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        if (significand.IsZero) return (BigInteger.Zero, 0);
        while (significand % 10 == 0) { significand /= 10; exponent++; }
        return (significand, exponent);
    }
}
