using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DataExchange.Core.Tests.Datasets.Schemas.Suite;

/// <summary>One case of the official JSON-Schema-Test-Suite: a schema, an instance and the spec's verdict.</summary>
internal sealed record SuiteCase(string File, string Group, string Description, JsonNode? Schema, JsonElement Instance, bool Valid)
{
    public override string ToString() => $"{File}: {Group} / {Description}";
}

/// <summary>
/// The official JSON-Schema-Test-Suite (json-schema-org/JSON-Schema-Test-Suite, pinned at
/// <see cref="Commit"/>), kept unchanged in <c>json-schema-test-suite/</c> beside this file with its LICENSE (MIT), so
/// the conformance run needs nothing outside the repository; <c>DX_JSON_SCHEMA_TEST_SUITE</c> points it at another copy.
/// Only <c>tests/draft7</c>, <c>tests/draft2020-12</c> and <c>remotes</c> are kept and read.
/// </summary>
internal static class OfficialSuite
{
    /// <summary>The suite's commit the baseline was recorded against.</summary>
    public const string Commit = "44401e0c046704b476ec9d2e2fccdaee618f259d";

    /// <summary>The drafts whose folders are run.</summary>
    public static readonly string[] Drafts = ["draft7", "draft2020-12"];

    /// <summary>Where the suite's remotes are served from, as its README requires.</summary>
    public static readonly Uri RemoteBase = new("http://localhost:1234/");

    /// <summary>The suite's root folder, or null when no copy is present.</summary>
    public static string? Root([CallerFilePath] string source = "")
    {
        var configured = Environment.GetEnvironmentVariable("DX_JSON_SCHEMA_TEST_SUITE");
        if (!string.IsNullOrEmpty(configured)) return Directory.Exists(Path.Combine(configured, "tests")) ? configured : null;
        var kept = Path.Combine(Path.GetDirectoryName(source)!, "json-schema-test-suite");
        return Directory.Exists(Path.Combine(kept, "tests")) ? kept : null;
    }

    /// <summary>Every test file of the drafts run, as "draft7/optional/format/uri.json".</summary>
    public static IEnumerable<string> Files()
    {
        if (Root() is not { } root) return [];
        return Drafts.SelectMany(d => Directory.EnumerateFiles(Path.Combine(root, "tests", d), "*.json", SearchOption.AllDirectories))
            .Select(f => Path.GetRelativePath(Path.Combine(root, "tests"), f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal);
    }

    /// <summary>Whether the file holds optional cases (anything under optional/).</summary>
    public static bool IsOptional(string file) => file.Contains("/optional/", StringComparison.Ordinal);

    public static IEnumerable<SuiteCase> Read(string file)
    {
        var groups = JsonNode.Parse(File.ReadAllText(Path.Combine(Root()!, "tests", file)))!.AsArray();
        foreach (var group in groups)
            foreach (var test in group!["tests"]!.AsArray())
                yield return new SuiteCase(file, group["description"]!.GetValue<string>(), test!["description"]!.GetValue<string>(),
                    group["schema"], ParseInstance(test["data"]?.ToJsonString() ?? "null"), test["valid"]!.GetValue<bool>());
    }

    /// <summary>Every remote document, by the URI the suite serves it at (http://localhost:1234/…).</summary>
    public static IEnumerable<(Uri Uri, string Text)> Remotes()
    {
        var folder = Path.Combine(Root()!, "remotes");
        foreach (var f in Directory.EnumerateFiles(folder, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            yield return (new Uri(RemoteBase, Path.GetRelativePath(folder, f).Replace('\\', '/')), File.ReadAllText(f));
    }

    // Records reach the validator as System.Text.Json elements, as ingestion reads them: numbers keep their text.
    static JsonElement ParseInstance(string json) => JsonElement.Parse(json, new JsonDocumentOptions { MaxDepth = 256 });
}
