using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DataExchange.Core.Tests.Datasets.Schemas;

/// <summary>One case of the official JSON-Schema-Test-Suite (draft7): a schema, an instance and the spec's verdict.</summary>
internal sealed record TestSuiteCase(string File, string Group, string Description, string SchemaText, JsonElement Instance, bool Valid)
{
    public override string ToString() => $"{File}: {Group} / {Description}";
}

/// <summary>Reads the suite files copied into TestSuite/ (see the README there for source and licence).</summary>
internal static class TestSuiteCases
{
    /// <summary>The folder beside this source file: found through the compiler, so no copy-to-output step is needed.</summary>
    public static string Folder([CallerFilePath] string source = "") => Path.Combine(Path.GetDirectoryName(source)!, "TestSuite");

    public static IEnumerable<string> Files() =>
        Directory.Exists(Folder()) ? Directory.EnumerateFiles(Folder(), "*.json").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal)! : [];

    public static IEnumerable<TestSuiteCase> Read(string file)
    {
        var groups = JsonNode.Parse(File.ReadAllText(Path.Combine(Folder(), file + ".json")))!.AsArray();
        foreach (var group in groups)
        {
            var schema = group!["schema"]!.ToJsonString();
            foreach (var test in group["tests"]!.AsArray())
                yield return new TestSuiteCase(file, group["description"]!.GetValue<string>(), test!["description"]!.GetValue<string>(),
                    schema, ParseInstance(test["data"]?.ToJsonString() ?? "null"), test["valid"]!.GetValue<bool>());
        }
    }

    // Records reach the validator as System.Text.Json elements (as ingestion reads them): numbers keep
    // their text, so bignum and float-overflow cases compare exactly. JsonNode's text of "data" is the
    // source text of each number, never re-formatted.
    static JsonElement ParseInstance(string json) => JsonElement.Parse(json, new JsonDocumentOptions { MaxDepth = 256 });
}
