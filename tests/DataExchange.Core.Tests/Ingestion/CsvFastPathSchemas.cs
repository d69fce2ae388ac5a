namespace DataExchange.Core.Tests.Ingestion;

/// <summary>The schemas, headers and cell values the CSV fast-path differential tests run through both paths.</summary>
internal static class CsvFastPathSchemas
{
    /// <summary>The ingest benchmark's schema (tests/DataExchange.Benchmarks/Ingest/BenchCsv.cs).</summary>
    public const string Bench = """
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

    /// <summary>Nullable types, enums, formats, annotations, additionalProperties true, members with $ref and anyOf.</summary>
    public const string Nullables = """
        {"$schema":"http://json-schema.org/draft-07/schema#","type":"object","title":"People","description":"d","$comment":"c",
         "required":["id","email"],"additionalProperties":true,
         "definitions":{"level":{"type":["integer","null"],"enum":[1,2,3,null]}},
         "properties":{
           "id":{"type":"integer","minimum":1,"exclusiveMaximum":1000000000000},
           "email":{"type":"string","format":"email","maxLength":60,"examples":["a@b.co"]},
           "born":{"type":["string","null"],"format":"date"},
           "uscc":{"type":["string","null"],"format":"cn-uscc"},
           "level":{"$ref":"#/definitions/level"},
           "ratio":{"type":["number","null"],"multipleOf":0.25,"maximum":100,"exclusiveMinimum":-5},
           "flag":{"type":["boolean","null"],"default":false},
           "kind":{"enum":["a","b","c","1"]},
           "mixed":{"type":["integer","string"],"pattern":"^[0-9a-z]+$","minimum":-3},
           "either":{"anyOf":[{"type":"integer"},{"type":"string","minLength":3}]},
           "deleted":{"type":["boolean","null"]},
           "title":{"type":"string","description":"a member called title"}}}
        """;

    /// <summary>Numbers and booleans only, additionalProperties false; a composite key.</summary>
    public const string Typed = """
        {"type":"object","required":["region","code"],"additionalProperties":false,
         "properties":{
           "region":{"type":"string","minLength":2,"maxLength":2},
           "code":{"type":["integer","null"]},
           "n":{"type":"number"},
           "i":{"type":"integer","maximum":1000000},
           "b":{"type":"boolean"},
           "nb":{"type":["number","boolean"]},
           "odd":{"type":"object"},
           "deleted":{"type":"boolean"}}}
        """;

    /// <summary>Extra columns must be short strings.</summary>
    public const string AdditionalSchema = """
        {"type":"object","required":["k"],"properties":{"k":{"type":"string"}},
         "additionalProperties":{"type":"string","maxLength":3}}
        """;

    /// <summary>Not flat: the root has a combinator, so every row takes the general path.</summary>
    public const string NotFlat = """
        {"type":"object","required":["k"],"properties":{"k":{"type":"string"},"v":{"type":"integer"}},
         "anyOf":[{"required":["v"]},{"maxProperties":1}]}
        """;

    /// <summary>Cells that probe coercion, escaping and the keyword checks, good or bad for any column.</summary>
    public static readonly string[] EdgeCells =
    [
        "", " ", "a", " padded ", "ünïcödé 漢字 😀", "\"quoted\"", "back\\slash", "tab\there", "line\nbreak", "cr\r\n",
        "\0nul", "x\0", "\u0001\u001f\u0008\u000c", "\u007f", "\u0085\u2028\u2029", "<>&'", "\ud800 lone", "\\u0000",
        "1", "0", "-0", "1.0", "1e5", "1E-3", "-1.50", "+7", " 42 ", "42 ", "-3", "3.5", "0.25", "100", "100.00",
        "99999999999999999999", "1e30", "79228162514264337593543950335", "7.9e28", "0.0000000000000000000000000001",
        "9223372036854775807", "-9223372036854775808", "9223372036854775808",
        "1e400", "1e131072", "1e-16384", "007", "-0.0", ".5", "5.", "0.30000000000000000000000000001", "12345678901234567890.123456789012345",
        new string('k', 1025), new string('9', 1100), "1_000", "0x10", "NaN", "Infinity", "1,000",
        "true", "True", "TRUE", " yes ", "Y", "t", "F", "no", "n", "false", "FALSE", "1 ", "yes!",
        "2024-02-30", "2024-01-15", "2024-1-15", "a@b.co", "a..b@c.de", "91350100M000100Y43", "91350100M000100Y44",
        "R00000001", "R1", "ABC", "abc", "alpha", "beta", "AbC", "null", "{}", "[1]", "abcd", "ab",
    ];

    /// <summary>A column's usual (mostly valid) cells, so that many rows are valid.</summary>
    public static string[] Good(string column) => column switch
    {
        "id" => ["R00000001", "R12345678", "7", "123456789", "42"],
        "name" or "title" => ["Name 1", "Zoë", "x", "with, comma"],
        "category" => ["alpha", "beta", "gamma", "delta"],
        "amount" or "n" or "score" => ["0", "1.50", "12.00", "3", "1e2", "-0"],
        "quantity" or "i" => ["0", "5", "999", "1000000"],
        "active" or "b" or "flag" => ["true", "False", "yes", "N", "1", "0", "t"],
        "created" or "born" => ["2024-01-15", "2023-12-31", ""],
        "code" => ["ABC", "XYZ", "7", "-12"],
        "note" => ["", "a note", "note, with comma"],
        "email" => ["a@b.co", "first.last@example.org"],
        "uscc" => ["91350100M000100Y43", "91440101MA59CXUF6M", ""],
        "level" => ["1", "3", ""],
        "ratio" => ["0.25", "1.5", "", "100"],
        "kind" => ["a", "c", "1"],
        "mixed" => ["7", "abc", "-3"],
        "either" => ["12", "long"],
        "region" => ["EU", "us", "Eu"],
        "nb" => ["1.5", "true", "2"],
        "deleted" => ["false", "", "no", "0", "true"],
        "k" => ["k1", "K1", " k2"],
        "v" => ["1", "2"],
        _ => ["x", "yz"],
    };

    static readonly string[] Categories = ["alpha", "beta", "gamma", "delta"];

    /// <summary>Row <paramref name="i"/> as the ingest benchmark's generator writes it (BenchCsv.Row), one CSV line.</summary>
    public static string BenchRow(int i)
    {
        var c = System.Globalization.CultureInfo.InvariantCulture;
        var seed = (uint)(i * 2654435761u);
        return string.Create(c, $"R{i:D8},Name {i},{Categories[seed % 4]},{seed % 100000 / 100.0:F2},")
            + (i % 100 == 73 ? "many" : (seed % 1000).ToString(c))
            + string.Create(c, $",{(seed & 1) == 1},2024-{1 + seed % 12:D2}-{1 + seed % 28:D2},{(char)('A' + seed % 26)}{(char)('A' + seed / 26 % 26)}{(char)('A' + seed / 676 % 26)},")
            + (i % 7 == 0 ? (seed % 977 + 0.5).ToString(c) : (seed % 977).ToString(c))
            + (i % 3 == 0 ? ",\n" : string.Create(c, $",\"note for row {i}, with a comma\"\n"));
    }
}
