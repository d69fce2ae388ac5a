using System.Text.Json.Nodes;

namespace DataExchange.Server.Hosting;

/// <summary>
/// One feature's OpenAPI examples, kept beside its endpoints: an instance per request and response type, and what
/// a type cannot say (JSON Schema documents typed JsonObject, raw uploads, the streamed text formats) per
/// operation ("METHOD /path" as in the document) and media type. <see cref="ApiExamples"/> gathers them.
/// </summary>
public sealed class ExampleSet
{
    /// <summary>An example instance per type, serialised with the API's own JSON options.</summary>
    public Dictionary<Type, object> Types { get; } = [];

    /// <summary>Request body examples by operation, then media type.</summary>
    public Dictionary<string, Dictionary<string, Func<JsonNode>>> Requests { get; } = new(StringComparer.Ordinal);

    /// <summary>Success response examples by operation, then media type.</summary>
    public Dictionary<string, Dictionary<string, Func<JsonNode>>> Responses { get; } = new(StringComparer.Ordinal);
}
