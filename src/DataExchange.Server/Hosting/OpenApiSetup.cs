using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace DataExchange.Server.Hosting;

/// <summary>
/// The OpenAPI document at /openapi/v1.json: bearer API-key security on every /api/v1 operation, and
/// the problem+json error responses each can give (400, 401, 403, 404, 429), and examples of every
/// request body, success response and parameter (<see cref="OpenApiExamples"/>).
/// </summary>
public static class OpenApiSetup
{
    const string Problem = "Problem";

    /// <summary>Adds document "v1" with the exchange's transformers.</summary>
    public static IServiceCollection AddExchangeOpenApi(this IServiceCollection services) => services.AddHttpContextAccessor().AddOpenApi("v1", o =>
    {
        o.AddDocumentTransformer((document, context, _) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = "DataExchange API",
                Version = "v1",
                Description = "Inter-agency data sharing: catalogue, subscriptions with access policies, pulls and change feeds, audit.",
                Contact = new OpenApiContact { Name = "DataExchange", Url = new Uri("https://github.com/") },
                License = new OpenApiLicense { Name = "MIT", Url = new Uri("https://opensource.org/licenses/MIT") },
            };
            // Absolute, as the document was asked for (generators take it as the base URL); behind a proxy,
            // UseForwardedHeaders makes the request show the public scheme and host.
            var request = context.ApplicationServices.GetService<IHttpContextAccessor>()?.HttpContext?.Request;
            document.Servers = [new OpenApiServer { Url = request is null ? "/" : $"{request.Scheme}://{request.Host}{request.PathBase}", Description = "This exchange" }];
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes["bearer"] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http, Scheme = "bearer", BearerFormat = "dx API key",
                Description = "An API key issued by the exchange: `Authorization: Bearer dx_…`.",
            };
            document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
            document.Components.Schemas[Problem] = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Description = "RFC 9457 problem details; `type` is urn:dataexchange:problem:<code>.",
                Properties = new Dictionary<string, IOpenApiSchema>
                {
                    ["type"] = new OpenApiSchema { Type = JsonSchemaType.String },
                    ["title"] = new OpenApiSchema { Type = JsonSchemaType.String },
                    ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer },
                    ["detail"] = new OpenApiSchema { Type = JsonSchemaType.String },
                    ["errors"] = new OpenApiSchema
                    {
                        Type = JsonSchemaType.Array,
                        Items = new OpenApiSchema
                        {
                            Type = JsonSchemaType.Object,
                            Properties = new Dictionary<string, IOpenApiSchema>
                            {
                                ["pointer"] = new OpenApiSchema { Type = JsonSchemaType.String },
                                ["code"] = new OpenApiSchema { Type = JsonSchemaType.String },
                                ["message"] = new OpenApiSchema { Type = JsonSchemaType.String },
                            },
                        },
                    },
                },
            };
            document.Tags ??= new HashSet<OpenApiTag>();
            foreach (var tag in document.Paths.Values.SelectMany(p => p.Operations?.Values ?? Enumerable.Empty<OpenApiOperation>()).SelectMany(op => op.Tags ?? new HashSet<OpenApiTagReference>()).Select(t => t.Name).Distinct().ToList())
                if (tag is not null && document.Tags.All(t => t.Name != tag)) document.Tags.Add(new OpenApiTag { Name = tag, Description = $"{tag} endpoints." });
            return Task.CompletedTask;
        });
        o.AddDocumentTransformer(OpenApiTypes.ApplyAsync);
        o.AddSchemaTransformer(OpenApiExamples.OmitNullableFromRequired);
        o.AddOperationTransformer((operation, context, _) =>
        {
            OpenApiExamples.Apply(operation, context);
            operation.Description ??= operation.Summary;
            var path = context.Description.RelativePath ?? "";
            if (!path.StartsWith("api/v1", StringComparison.Ordinal)) return Task.CompletedTask;
            operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("bearer", context.Document)] = [] }];
            // The public catalogue and open data answer without a key too (an empty requirement).
            if (context.Description.ActionDescriptor.EndpointMetadata.OfType<Microsoft.AspNetCore.Authorization.IAllowAnonymous>().Any()) operation.Security.Add(new OpenApiSecurityRequirement());
            operation.Responses ??= new OpenApiResponses();
            Add(operation, context, "400", "The request is not valid (problem `invalid-request`, with `errors`).", "invalid-request", 400);
            Add(operation, context, "401", "No valid API key.", "unauthorized", 401);
            Add(operation, context, "403", "The key lacks the right (e.g. `subscription-required`, `policy-expired`, `role-required`).", "subscription-required", 403);
            if (path.Contains('{', StringComparison.Ordinal)) Add(operation, context, "404", "Not found, or not visible to you.", "not-found", 404);
            Add(operation, context, "429", "Rate limit (`rate-limited`) or daily row quota (`quota-exceeded`) reached; see Retry-After.", "rate-limited", 429);
            operation.OperationId ??= OperationId(context.Description.HttpMethod ?? "get", path);
            return Task.CompletedTask;
        });
    });

    // GET api/v1/datasets/{datasetId}/runs → getDatasetsDatasetIdRuns: stable, unique per method and path.
    static string OperationId(string method, string path) =>
        method.ToLowerInvariant() + string.Concat(path["api/v1".Length..].Split('/', '{', '}', '-', ':').Where(s => s.Length > 0 && !s.StartsWith("int", StringComparison.Ordinal) && !s.StartsWith("long", StringComparison.Ordinal))
            .Select(s => char.ToUpperInvariant(s[0]) + s[1..]));

    static void Add(OpenApiOperation operation, OpenApiOperationTransformerContext context, string status, string description, string code, int statusCode)
    {
        if (operation.Responses!.ContainsKey(status)) return;
        var response = new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/problem+json"] = new OpenApiMediaType
                {
                    Schema = new OpenApiSchemaReference(Problem, context.Document),
                    Example = new JsonObject
                    {
                        ["type"] = "urn:dataexchange:problem:" + code,
                        ["title"] = description.Split('.')[0],
                        ["status"] = statusCode,
                        ["detail"] = description,
                    },
                },
            },
        };
        if (statusCode == 429)
            response.Headers = new Dictionary<string, IOpenApiHeader>
            {
                ["Retry-After"] = new OpenApiHeader { Description = "Seconds to wait.", Schema = new OpenApiSchema { Type = JsonSchemaType.Integer } },
            };
        operation.Responses![status] = response;
    }
}
