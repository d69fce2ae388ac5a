using System.Text.Json;
using System.Text.Json.Serialization;

namespace DataExchange.Core.Common;

/// <summary>The exchange's JSON conventions: camelCase, enums as lower-case strings, no nulls.</summary>
public static class Json
{
    /// <summary>Options for API bodies and stored documents.</summary>
    public static JsonSerializerOptions Options { get; } = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    /// <summary>Options for a <see cref="Utf8JsonWriter"/> of API output: non-ASCII as UTF-8, only what JSON requires escaped.</summary>
    public static JsonWriterOptions WriterOptions { get; } = new() { Encoder = MinimalJsonEncoder.Instance };

    /// <summary>Applies the conventions to <paramref name="options"/> (also used for ASP.NET Core's options).</summary>
    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        options.Encoder = MinimalJsonEncoder.Instance;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower));
        // A misspelt member is an error, not silently dropped: the request schemas are closed too.
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        // Numbers are JSON numbers: the Web defaults also read "5" as 5, which made the OpenAPI document
        // type every integer as integer-or-string (issue 17) and let a quoted number through unchecked.
        options.NumberHandling = JsonNumberHandling.Strict;
        return options;
    }
}
