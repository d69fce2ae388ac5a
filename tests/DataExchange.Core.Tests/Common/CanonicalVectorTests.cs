using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DataExchange.Core.Common;
using DataExchange.Core.Datasets.Schemas;
using DataExchange.Core.Ingestion;
using NUnit.Framework;

namespace DataExchange.Core.Tests.Common;

/// <summary>
/// Pinned vectors for the one canonical JSON writer (issue 19, item 2), in both of its string styles: the record
/// form (hashes of every record already stored, staged jsonb text) and the relaxed form (schema fingerprints,
/// policy hashes; audit entries have their own vectors in AuditHashVectorTests). A change of either form
/// would change hashes on record, so each vector is pinned by the SHA-256 of its bytes.
/// </summary>
public sealed class CanonicalVectorTests
{
    const string Astral = "😀𠀀";

    // A JSON record as a source sends it: unsorted members, duplicate names, exponents, escapes of every kind.
    static readonly (string Json, string Sha256)[] Records =
    [
        ("""{"b":1,"a":"x"}""", "cdab067e9f3beb32d1252cfd63e492592fecbf591b0d08cadb24bb17f3864246"),
        ("""{"id":"广州","n":1E2,"m":1.50,"z":-0,"e":1e-3,"big":12345678901234567890.123456789012345e-20}""", "f8a67001dc4c98f69ea8456237637e4f13198145b311b8efb545ad8e35c393ce"),
        ("""{"s":"\"\\\/\b\f\n\r\t\u0001\u001f\u007f\u0085\u2028\u2029\u00e9\ud840\udc00 😀 <a>&amp;+=-@","\uff21":1,"😀":2,"é":3,"Z":5}""", "5ecbc4e813b0e34db02825a8cea9abcb84594c7d92b7b1374bfb2c284f918e64"),
        ("""{ "x" : [ 3 , 1 , {"b":true,"a":null,"a":false} , [], {} ], "n":1,"n":2, "o":{"y":{"q":[1.0e+1]}}}""", "16c0922fe950822a5c713ce89338c6c1f61b4ad24df852e13afa147ce546e085"),
    ];

    static IEnumerable<TestCaseData> RecordCases() => Records.Select((v, i) => new TestCaseData(v.Json, v.Sha256).SetName($"Record{i + 1}"));

    [TestCaseSource(nameof(RecordCases))]
    public void ARecord_HashesAsRecordsOnFileWereHashed(string json, string sha256)
    {
        using var document = JsonDocument.Parse(json);
        var canonical = RecordShaper.Canonical(document.RootElement);
        Assert.That(Convert.ToHexStringLower(RecordShaper.Hash(canonical)), Is.EqualTo(sha256), canonical);
    }

    [Test]
    public async Task ACsvRow_HashesAsRecordsOnFileWereHashed()
    {
        var schema = await DatasetSchema.LoadAsync("""
            {"type":"object","properties":{"id":{"type":"string"},"n":{"type":"number"},"ok":{"type":"boolean"},"s":{"type":"string"},"Ａ":{"type":"integer"}}}
            """, 1);
        var validator = new RecordValidator(schema, ["id"]);
        string[] header = ["s", "n", "id", "ok", "Ａ"];
        var row = validator.Process(new SourceRecord(2, ["tab\tquote\"é" + Astral + "\u2028", "1.5e2", "k-1", "true", "007"], null, ""), header);
        var staged = row.Staged!.Value;
        Assert.That(Convert.ToHexStringLower(staged.Hash), Is.EqualTo("f5f0602a3da6a17f0f5d4b37b84d717fb3851b4ab3bb33719e1d9c673af7059c"), staged.Data);
    }

    // Fingerprints and policy hashes: documents built in code as well as parsed ones, including what the
    // relaxed encoder escapes (astral planes, U+2028/2029, DEL and C1 controls, HTML characters).
    static JsonNode Relaxed() => new JsonObject
    {
        ["title"] = "Emoji " + Astral + " and Ａ, \u2028\u2029 DEL \u007f NEL \u0085 <a href='x'>&amp;</a> +=-@ \uFFFD",
        ["controls"] = "quote \" backslash \\ tab \t newline \n cr \r bs \b ff \f nul \0 us \u001f",
        ["numbers"] = new JsonArray(1.50m, 0.1, long.MaxValue, -0.0, 1e300, 3),
        ["parsed"] = JsonNode.Parse("""{"big":1e400,"exp":1.5E2,"neg":-0.0,"nested":{"b":[3,{"d":null,"c":true}],"a":false}}"""),
        [Astral] = 1,
        ["Ａ"] = 2,
        ["a"] = JsonNode.Parse("""{"\u00e9":"\u0085","list":["x",1,[],{}]}"""),
    };

    [Test]
    public void ARelaxedDocument_HashesAsFingerprintsOnFileWereHashed()
    {
        var bytes = CanonicalJson.ToBytes(Relaxed());
        Assert.That(Convert.ToHexStringLower(SHA256.HashData(bytes)), Is.EqualTo("6a1a783b73835dcab8ffcc2e9a4ff25694ac90630d94df4455674e9975f85dee"), Encoding.UTF8.GetString(bytes));
    }

    [Test]
    public void ALoneSurrogate_IsWrittenAsTheReplacementCharacter_InTheRelaxedStyle()
    {
        Assert.That(CanonicalJson.ToText(new JsonObject { ["s"] = "x\ud800y" }), Is.EqualTo("{\"s\":\"x\uFFFDy\"}"));
    }

    [Test]
    public void ALoneSurrogate_IsRefused_InTheRecordStyle()
    {
        using var document = JsonDocument.Parse("{\"s\":[\"x\\ud800\"]}");
        var e = Assert.Throws<CanonicalFormException>(() => RecordShaper.Canonical(document.RootElement))!;
        Assert.That((e.Code, e.Pointer), Is.EqualTo(("invalid-unicode", "/s/0")));
    }
}
