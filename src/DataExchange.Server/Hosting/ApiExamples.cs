using System.Text.Json.Nodes;
using DataExchange.Server.Agencies;
using DataExchange.Server.Audit;
using DataExchange.Server.Catalogue;
using DataExchange.Server.Datasets;
using DataExchange.Server.Feeds;
using DataExchange.Server.Ingestion;
using DataExchange.Server.Lookup;
using DataExchange.Server.Pull;
using DataExchange.Server.Subscriptions;
using static DataExchange.Server.Hosting.ExampleStory;

namespace DataExchange.Server.Hosting;

/// <summary>
/// One example instance per request and response type of the API, all telling one story (<see cref="ExampleStory"/>:
/// gd-amr publishes business licences, gz-hrss consumes them). They are real instances serialised with the
/// API's own JSON options, so an example cannot drift from what the endpoint sends or accepts. Each feature keeps
/// its examples beside its endpoints (an <see cref="ExampleSet"/>); this gathers them, and
/// <see cref="OpenApiExamples"/> puts them into the document; lists (<see cref="PageBody{T}"/>) are built from
/// their item's example.
/// </summary>
public static class ApiExamples
{
    static readonly ExampleSet[] Features =
    [
        AgencyExamples.Set, DatasetExamples.Set, FeedHostExamples.Set, RunExamples.Set, RecordExamples.Set, LookupExamples.Set,
        SubscriptionExamples.Set, CatalogueExamples.Set, AuditExamples.Set,
    ];

    // A type or an operation with examples in two features fails here, when the document is first built.
    static readonly Dictionary<Type, object> Types = Features.SelectMany(f => f.Types).ToDictionary();
    static readonly Dictionary<string, Dictionary<string, Func<JsonNode>>> Requests =
        Features.SelectMany(f => f.Requests).ToDictionary(StringComparer.Ordinal);
    static readonly Dictionary<string, Dictionary<string, Func<JsonNode>>> Responses =
        Features.SelectMany(f => f.Responses).ToDictionary(StringComparer.Ordinal);

    /// <summary>The example of <paramref name="type"/>, if there is one.</summary>
    public static object? For(Type type) => Types.GetValueOrDefault(type);

    /// <summary>The request body example of <paramref name="operation"/> ("METHOD /path") in <paramref name="mediaType"/>, if it has its own.</summary>
    public static JsonNode? ForRequest(string operation, string mediaType) =>
        Requests.GetValueOrDefault(operation)?.GetValueOrDefault(mediaType)?.Invoke();

    /// <summary>The success response example of <paramref name="operation"/> in <paramref name="mediaType"/>, if it has its own.</summary>
    public static JsonNode? ForResponse(string operation, string mediaType) =>
        Responses.GetValueOrDefault(operation)?.GetValueOrDefault(mediaType)?.Invoke();

    /// <summary>Example values of path and query parameters, by name.</summary>
    public static JsonNode? ForParameter(string name, bool integer) => name switch
    {
        "datasetId" or "dataset" => DatasetId,
        "agencyId" or "owner" => "gd-amr",
        "agency" => "gz-hrss",
        "client" => "cli_4kz8x2m7q9w3",
        "keyId" => KeyId,
        "subscriptionId" => SubscriptionId,
        "runId" => 42,
        "version" => 3,
        "since" => 2,
        "until" => 3,
        "seq" => 1042,
        "treeSize" => 2048,
        "from" => integer ? 1024 : "2026-03-01T00:00:00Z",
        "to" => integer ? 2048 : "2026-03-02T00:00:00Z",
        "limit" => 100,
        "format" => "ndjson",
        "q" => "licence",
        "tag" => "business",
        "classification" => "internal",
        "status" => "pending",
        "action" => "records-pulled",
        "outcome" => "denied",
        "key" => "91440101MA5C2K8X1T",
        "evidence" => false,
        "Dx-Purpose" => "social-insurance-registration",
        "Dx-Case-Ref" => "SI-2026-000183",
        _ => null,
    };
}
