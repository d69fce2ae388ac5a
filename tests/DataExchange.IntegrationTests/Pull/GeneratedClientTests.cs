using System.Globalization;
using System.Text.Json.Nodes;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Pull;

/// <summary>
/// Issue 5: a client generated at run time from /openapi/v1.json pages through a snapshot. NSwag and
/// Kiota are not available offline here, so <see cref="OpenApiOperation"/> is a tiny generator: it
/// reads an operation's path template, method and declared parameters and builds requests only from
/// those — a parameter the document does not declare is an error, as in a generated client.
/// </summary>
[TestFixture]
public sealed class GeneratedClientTests
{
    PullTestBed _bed = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _bed = await PullTestBed.StartAsync("generated");
        await _bed.PublishAsync([.. Enumerable.Range(0, 25).Select(i => (object)new { id = $"k{i:D2}", name = $"n{i}", age = i })]);
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _bed.DisposeAsync();

    [Test]
    public async Task GeneratedClient_PagesThroughTheSnapshot()
    {
        var consumer = await _bed.NewConsumerAsync("gen");
        await _bed.SubscribeAsync(consumer, new { fields = new[] { "id", "age" } });
        var document = await consumer.GetAsync("/openapi/v1.json");
        var getRecords = OpenApiOperation.Find(document, "getRecords");
        Assert.That(getRecords.Method, Is.EqualTo("get"));

        var ids = new List<string>();
        string? after = null;
        var pages = 0;
        do
        {
            var url = getRecords.Url(new() { ["datasetId"] = PullTestBed.DatasetId, ["limit"] = 10, ["after"] = after });
            var page = await consumer.GetAsync(url);
            ids.AddRange(page["items"]!.AsArray().Select(i => i!["id"]!.GetValue<string>()));
            after = page["next"]?.GetValue<string>();
            pages++;
        } while (after is not null);
        Assert.That(pages, Is.EqualTo(3));
        Assert.That(ids, Is.EqualTo(Enumerable.Range(0, 25).Select(i => $"k{i:D2}")));
        Assert.Throws<ArgumentException>(() => getRecords.Url(new() { ["datasetId"] = "x", ["pageSize"] = 1 }), "undeclared parameters are refused");
    }
}

/// <summary>One operation of an OpenAPI document, turned into request URLs.</summary>
public sealed record OpenApiOperation(string Path, string Method, IReadOnlyDictionary<string, (string In, bool Required, string? Type)> Parameters)
{
    /// <summary>Finds the operation with <paramref name="operationId"/>.</summary>
    public static OpenApiOperation Find(JsonNode document, string operationId)
    {
        foreach (var (path, item) in document["paths"]!.AsObject())
            foreach (var (method, op) in item!.AsObject())
                if (op is JsonObject o && o["operationId"]?.GetValue<string>() == operationId)
                    return new(path, method, (o["parameters"]?.AsArray() ?? []).ToDictionary(
                        p => p!["name"]!.GetValue<string>(),
                        p => (p!["in"]!.GetValue<string>(), p["required"]?.GetValue<bool>() ?? false, p["schema"]?["type"]?.ToString())));
        throw new InvalidOperationException($"No operation {operationId} in the document.");
    }

    /// <summary>The URL for <paramref name="args"/>: path parameters substituted, the rest as query; nulls omitted.</summary>
    public string Url(Dictionary<string, object?> args)
    {
        foreach (var name in args.Keys.Where(k => !Parameters.ContainsKey(k)))
            throw new ArgumentException($"'{name}' is not a parameter of {Method} {Path}.", nameof(args));
        foreach (var (name, p) in Parameters.Where(p => p.Value.Required && args.GetValueOrDefault(p.Key) is null))
            throw new ArgumentException($"'{name}' ({p.In}) is required.", nameof(args));
        var path = Path;
        var query = new List<string>();
        foreach (var (name, value) in args)
        {
            if (value is null) continue;
            var text = Uri.EscapeDataString(Convert.ToString(value, CultureInfo.InvariantCulture)!);
            if (Parameters[name].In == "path") path = path.Replace("{" + name + "}", text, StringComparison.Ordinal);
            else query.Add($"{name}={text}");
        }
        return query.Count == 0 ? path : path + "?" + string.Join("&", query);
    }
}
