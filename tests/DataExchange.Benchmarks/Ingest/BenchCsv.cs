using System.Globalization;
using System.Text;

namespace DataExchange.Benchmarks.Ingest;

/// <summary>
/// The benchmark's payload: a 10-column CSV written as a stream (memory stays flat), with about 1%
/// invalid rows (a non-integer quantity) and about 1% exact duplicates of an earlier row.
/// </summary>
public static class BenchCsv
{
    /// <summary>The JSON Schema of one row.</summary>
    public const string Schema = """
        {"type":"object","required":["id","name","category","amount","quantity","active","created","code","score"],
         "additionalProperties":false,
         "properties":{
           "id":{"type":"string","pattern":"^R[0-9]{8}$"},
           "name":{"type":"string","minLength":1,"maxLength":80},
           "category":{"type":"string","enum":["alpha","beta","gamma","delta"]},
           "amount":{"type":"number","minimum":0},
           "quantity":{"type":"integer","minimum":0},
           "active":{"type":"boolean"},
           "created":{"type":"string","format":"date"},
           "code":{"type":"string","pattern":"^[A-Z]{3}$"},
           "score":{"type":"number"},
           "note":{"type":["string","null"],"maxLength":200}}}
        """;

    static readonly string[] Categories = ["alpha", "beta", "gamma", "delta"];

    /// <summary>
    /// Writes <paramref name="rows"/> data rows; rows whose index is in the changed set (every 100th, offset 37) differ when <paramref name="changed"/>;
    /// rows in the deleted set (every 1,000th, offset 611) are left out when <paramref name="deleted"/>.
    /// </summary>
    public static void Write(string path, int rows, bool changed, bool deleted = false)
    {
        using var w = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16);
        w.Write("id,name,category,amount,quantity,active,created,code,score,note\n");
        var sb = new StringBuilder(256);
        for (var i = 0; i < rows; i++)
        {
            // ~1% duplicates: row i repeats row i-1 exactly (same content, same key).
            var source = i % 100 == 50 && i > 0 ? i - 1 : i;
            if (deleted && i % 1000 == 611) continue;
            sb.Clear();
            Row(sb, source, changed && source % 100 == 37);
            w.Write(sb);
        }
    }

    /// <summary>Row <paramref name="i"/> of an unchanged file as the JSON object the exchange publishes (quantity as text where the CSV's is not an integer).</summary>
    public static void Json(StringBuilder sb, int i)
    {
        var c = CultureInfo.InvariantCulture;
        var seed = (uint)(i * 2654435761u);
        sb.Append(c, $"{{\"id\":\"R{i:D8}\",\"name\":\"Name {i}\",\"category\":\"{Categories[seed % 4]}\",\"amount\":{seed % 100000 / 100.0:F2},\"quantity\":");
        sb.Append(i % 100 == 73 ? "\"many\"" : (seed % 1000).ToString(c));
        sb.Append(c, $",\"active\":{((seed & 1) == 1 ? "true" : "false")},\"created\":\"2024-{1 + seed % 12:D2}-{1 + seed % 28:D2}\",\"code\":\"{(char)('A' + seed % 26)}{(char)('A' + seed / 26 % 26)}{(char)('A' + seed / 676 % 26)}\",\"score\":{seed % 977}");
        sb.Append(i % 3 == 0 ? "}" : string.Create(c, $",\"note\":\"note for row {i}, with a comma\"}}"));
    }

    static void Row(StringBuilder sb, int i, bool changed)
    {
        var c = CultureInfo.InvariantCulture;
        var seed = (uint)(i * 2654435761u);
        sb.Append(c, $"R{i:D8},Name {i},{Categories[seed % 4]},{seed % 100000 / 100.0:F2},");
        // ~1% invalid: a quantity that is not an integer.
        sb.Append(i % 100 == 73 ? "many" : (seed % 1000).ToString(c));
        sb.Append(c, $",{(seed & 1) == 1},2024-{1 + seed % 12:D2}-{1 + seed % 28:D2},{(char)('A' + seed % 26)}{(char)('A' + seed / 26 % 26)}{(char)('A' + seed / 676 % 26)},");
        sb.Append(changed ? (seed % 977 + 0.5).ToString(c) : (seed % 977).ToString(c));
        sb.Append(i % 3 == 0 ? ",\n" : string.Create(c, $",\"note for row {i}, with a comma\"\n"));
    }
}
