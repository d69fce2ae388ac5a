using System.Text.Json.Nodes;
using CsvHelper;
using DataExchange.Core.Common;
using DataExchange.Core.Datasets.Frictionless;
using DataExchange.Core.Datasets.Schemas;
using DataExchange.Core.Ingestion;
using NUnit.Framework;

namespace DataExchange.Core.Tests.Datasets.Frictionless;

[TestFixture]
public sealed class TableSchemaConverterTests
{
    // The shared sample data lives outside the repository; walk up from the test assembly to find it.
    static string SharedData()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "data");
            if (Directory.Exists(candidate)) return candidate;
        }
        Assert.Ignore("shared/data was not found above the test assembly.");
        return "";
    }

    static JsonObject Package(string name) => JsonNode.Parse(File.ReadAllText(Path.Combine(SharedData(), name, "datapackage.json")))!.AsObject();

    [Test]
    public async Task WorldCities_ConvertsWithGeonameIdKey_AndEveryRowValidates()
    {
        var converted = TableSchemaConverter.Convert(Package("world-cities"));
        Assert.That(converted.KeyFields, Is.EqualTo(new[] { "geonameid" }));
        var rows = await ValidateCsvAsync(converted, Path.Combine(SharedData(), "world-cities", "data", "world-cities.csv"));
        Assert.That(rows, Is.EqualTo(34_032));
    }

    [Test]
    public async Task Population_ConvertsWithCountryYearKey_AndEveryRowValidates()
    {
        var converted = TableSchemaConverter.Convert(Package("population"), keyFields: ["Country Code", "Year"]);
        Assert.That(converted.KeyFields, Is.EqualTo(new[] { "Country Code", "Year" }));
        Assert.That(converted.Schema["properties"]!["Year"]!["type"]!.ToString(), Is.EqualTo("integer"));
        var rows = await ValidateCsvAsync(converted, Path.Combine(SharedData(), "population", "data", "population.csv"));
        Assert.That(rows, Is.EqualTo(17_195));
    }

    [Test]
    public void Population_WithoutKeyFields_IsRefused()
    {
        // Read outside the asserted delegate: there, Assert.Ignore (no shared data) was caught as the wrong exception (issue 19).
        var package = Package("population");
        Assert.That(() => TableSchemaConverter.Convert(package), Throws.TypeOf<InvalidException>());
    }

    static async Task<int> ValidateCsvAsync(ConvertedSchema converted, string path)
    {
        var schema = await DatasetSchema.LoadAsync(converted.Schema.ToJsonString(), 1);
        await using var stream = File.OpenRead(path);
        using var csv = CsvReader.Create(stream, new CsvReaderOptions { Separator = ',', HasHeader = true });
        var headers = csv.Headers.ToArray();
        var rows = 0;
        while (csv.Read())
        {
            rows++;
            var cells = new string[csv.FieldCount];
            for (var i = 0; i < cells.Length; i++) cells[i] = csv.GetString(i) ?? "";
            var errors = new RecordValidator(schema, converted.KeyFields) { UseFastPath = false }.Process(new SourceRecord(rows, cells, null, ""), headers).Quarantined?.Errors ?? [];
            if (errors.Count > 0) Assert.Fail($"row {rows}: {string.Join("; ", errors.Select(e => e.Message))}");
        }
        return rows;
    }

    static JsonObject Inline(string fields, string extra = "") =>
        JsonNode.Parse("""{"name":"p","resources":[{"name":"r","schema":{"fields":""" + fields + extra + "}}]}")!.AsObject();

    [Test]
    public async Task Constraints_AndTypes_MapToKeywords_AndPassTheVetter()
    {
        var converted = TableSchemaConverter.Convert(Inline("""
            [{"name":"id","type":"integer","constraints":{"minimum":1}},
             {"name":"code","type":"string","constraints":{"required":true,"pattern":"[A-Z]{3}","minLength":3,"maxLength":3}},
             {"name":"kind","type":"string","constraints":{"enum":["a","b"]}},
             {"name":"on","type":"date"},{"name":"at","type":"datetime"},{"name":"y","type":"year"},{"name":"ok","type":"boolean"}]
            """, ""","primaryKey":["id"],"missingValues":["","NA"]"""));
        var p = converted.Schema["properties"]!;
        Assert.Multiple(() =>
        {
            Assert.That(converted.Schema["additionalProperties"]!.GetValue<bool>(), Is.False);
            Assert.That(converted.Schema["required"]!.AsArray().Select(n => n!.ToString()), Is.EquivalentTo(new[] { "id", "code" }));
            Assert.That(p["id"]!["type"]!.ToJsonString(), Is.EqualTo("\"integer\""));
            Assert.That(p["kind"]!["type"]!.ToJsonString(), Is.EqualTo("""["string","null"]"""));
            Assert.That(p["kind"]!["enum"]!.ToJsonString(), Is.EqualTo("""["a","b",null]"""));
            Assert.That(p["code"]!["pattern"]!.ToString(), Is.EqualTo("^(?:[A-Z]{3})$"));
            Assert.That(p["on"]!["format"]!.ToString(), Is.EqualTo("date"));
            Assert.That(p["at"]!["format"]!.ToString(), Is.EqualTo("date-time"));
            Assert.That(p["y"]!["type"]!.ToJsonString(), Is.EqualTo("""["integer","null"]"""));
            Assert.That(converted.MissingValues, Is.EqualTo(new[] { "", "NA" }));
        });
        var schema = await DatasetSchema.LoadAsync(converted.Schema.ToJsonString(), 1);
        Assert.That(schema.Validate(System.Text.Json.JsonElement.Parse("""{"id":1,"code":"ABC","kind":null,"on":"2024-02-29","y":2024}""")), Is.Empty);
        Assert.That(schema.Validate(System.Text.Json.JsonElement.Parse("""{"id":0,"code":"ABCD","kind":"c"}""")).Select(e => e.Code),
            Is.EquivalentTo(new[] { "minimum", "maxLength", "pattern", "enum" }));
    }

    [Test]
    public void UnknownKeyField_IsRefused()
    {
        Assert.That(() => TableSchemaConverter.Convert(Inline("""[{"name":"a"}]"""), keyFields: ["b"]), Throws.TypeOf<InvalidException>());
    }
}
