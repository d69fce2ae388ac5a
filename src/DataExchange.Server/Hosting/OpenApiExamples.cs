using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DataExchange.Core.Common;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace DataExchange.Server.Hosting;

/// <summary>
/// Puts <see cref="ApiExamples"/> into the document, in one pass per operation: every success response
/// and request body gets an example — the operation's own where its type cannot say enough (streamed
/// formats, uploads, JSON Schema bodies), else its type's — and parameters get one by name.
/// </summary>
public static partial class OpenApiExamples
{
    const string NextCursor = "MzpHMTQ0MDEwMU1BNUMySzhYMVQ";
    static readonly string[] TextFormats = ["application/x-ndjson", "text/csv", "application/ld+json", "text/turtle"];

    /// <summary>Adds the examples of one operation.</summary>
    public static void Apply(OpenApiOperation operation, OpenApiOperationTransformerContext context)
    {
        var description = context.Description;
        var key = $"{description.HttpMethod} /{Constraint().Replace(description.RelativePath ?? "", "")}";
        var paged = false;
        foreach (var parameter in operation.Parameters?.OfType<OpenApiParameter>() ?? [])
        {
            paged |= parameter.Name == "after";
            var example = ApiExamples.ForParameter(parameter.Name!, parameter.Schema?.Type?.HasFlag(JsonSchemaType.Integer) == true);
            // A repeated query parameter (string[]) takes an array example.
            if (example is not null and not JsonArray && parameter.Schema?.Type?.HasFlag(JsonSchemaType.Array) == true) example = new JsonArray(example);
            parameter.Example ??= example;
        }
        if (operation.RequestBody?.Content is { } body)
        {
            // A body bound as plain JSON but declared with Accepts<T> (the dataset manifest) is documented as T.
            var bodyType = description.ActionDescriptor.EndpointMetadata.OfType<Microsoft.AspNetCore.Http.Metadata.IAcceptsMetadata>().LastOrDefault()?.RequestType is { } accepted && accepted != typeof(JsonObject)
                ? accepted
                : description.ParameterDescriptions.FirstOrDefault(p => p.Source == BindingSource.Body)?.Type;
            foreach (var (mediaType, media) in body)
                media.Example ??= ApiExamples.ForRequest(key, mediaType) ?? Serialize(bodyType, paged: false);
        }
        foreach (var (status, response) in operation.Responses ?? [])
        {
            if (!status.StartsWith('2') || response.Content is null) continue;
            var type = description.SupportedResponseTypes.FirstOrDefault(r => r.StatusCode.ToString(CultureInfo.InvariantCulture) == status)?.Type;
            foreach (var (mediaType, media) in response.Content)
            {
                // NDJSON and CSV are streams of text: generated clients hand them over as a stream, not a JSON string.
                if (TextFormats.Contains(mediaType))
                    media.Schema = new OpenApiSchema
                    {
                        Type = JsonSchemaType.String, Format = "binary",
                        Description = mediaType switch
                        {
                            "text/csv" => "RFC 4180 CSV with a header row, UTF-8.",
                            "application/x-ndjson" => "One JSON object per line, UTF-8.",
                            _ => "An RDF document (DCAT-AP 3), UTF-8: hand it to an RDF library.",
                        },
                    };
                media.Example ??= ApiExamples.ForResponse(key, mediaType) ?? Serialize(type, paged);
            }
        }
    }

    /// <summary>
    /// Nullable properties leave a schema's <c>required</c>: the API omits nulls (Json.Options), so a
    /// property that may be null may also be absent.
    /// </summary>
    public static Task OmitNullableFromRequired(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (schema.Required is { Count: > 0 } required && schema.Properties is { } properties)
            foreach (var (name, property) in properties)
                if (IsNullable(property)) required.Remove(name);
        return Task.CompletedTask;
    }

    static bool IsNullable(IOpenApiSchema schema) =>
        schema.Type?.HasFlag(JsonSchemaType.Null) == true || schema.OneOf?.Any(s => s.Type == JsonSchemaType.Null) == true;

    static JsonNode? Serialize(Type? type, bool paged)
    {
        if (type is null) return null;
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(PageBody<>))
        {
            if (Serialize(type.GetGenericArguments()[0], paged: false) is not { } item) return null;
            var page = new JsonObject { ["items"] = new JsonArray(item) };
            if (paged) page["next"] = NextCursor;
            return page;
        }
        return ApiExamples.For(type) is { } example ? JsonSerializer.SerializeToNode(example, type, Json.Options) : null;
    }

    // Route constraints ({version:int}) are not part of the document's paths.
    [GeneratedRegex(":[^}]+")]
    private static partial Regex Constraint();
}
