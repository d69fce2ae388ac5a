using DataExchange.Core.Catalogue;
using DataExchange.Core.Datasets;
using DataExchange.Core.Datasets.Frictionless;
using DataExchange.Core.Feeds;
using DataExchange.Server.Agencies;
using DataExchange.Server.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DataExchange.Server.Datasets;

/// <summary>Registering datasets, the catalogue, and schema versions.</summary>
public static class DatasetEndpoints
{
    /// <summary>Maps /api/v1/datasets….</summary>
    public static RouteGroupBuilder MapDatasets(this RouteGroupBuilder api)
    {
        var datasets = api.MapGroup("/datasets").WithTags("Datasets");
        // The manifest is bound as plain JSON and held against its schema by the registry, so a member of the wrong
        // type is listed with every other problem instead of failing the binding (issue 18); Accepts documents its shape.
        datasets.MapPost("/", async Task<Created<Dataset>> (System.Text.Json.Nodes.JsonObject body, HttpContext http, DatasetRegistry registry, CancellationToken ct) =>
        {
            var dataset = await registry.RegisterAsync(http.Caller(), body, ct);
            return TypedResults.Created($"/api/v1/datasets/{dataset.Id}", dataset);
        }).Accepts<RegisterDatasetRequest>("application/json")
        .WithSummary("Register a dataset of the caller's agency with its schema (version 1) and feed (stewards); every problem of the manifest is listed at once.");

        datasets.MapGet("/", async (string? q, string? owner, string? tag, string? classification, int? limit, string? after, HttpContext http, CatalogueService catalogue, CancellationToken ct) =>
        {
            // Without a key, the public catalogue: only datasets classified public.
            if (http.CallerOrAnonymous().IsAnonymous && classification is not (null or Classification.Public)) return TypedResults.Ok(new PageBody<Dataset>([], null));
            var scoped = http.CallerOrAnonymous().IsAnonymous ? Classification.Public : classification;
            return TypedResults.Ok((await catalogue.SearchAsync(new CatalogueQuery(q, owner, tag, scoped, limit, after), ct)).ToBody(http));
        }).WithSummary("Search the catalogue by text, owner agency, tag and classification; without a key, the datasets classified public.")
            .AllowPublic(PublicAccess.Scope.List);

        datasets.MapGet("/{datasetId}", async (string datasetId, HttpContext http, DatasetRegistry registry, CancellationToken ct) =>
            TypedResults.Ok(await registry.GetAsync(http.CallerOrAnonymous(), datasetId, ct)))
            .WithSummary("A dataset's catalogue entry with its schema versions, and its feed for those who may read it (stewards, admins and auditors of the owner; the operator's admins and auditors) (without a key: datasets classified public).")
            .AllowPublic(PublicAccess.Scope.PublicMetadata);

        datasets.MapGet("/{datasetId}/schemas", async (string datasetId, DatasetRegistry registry, CancellationToken ct) =>
        {
            await registry.GetAsync(datasetId, ct);
            return TypedResults.Ok(new PageBody<SchemaVersionInfo>(await registry.ListSchemaVersionsAsync(datasetId, ct), null));
        }).WithSummary("The dataset's schema versions, oldest first.");

        datasets.MapGet("/{datasetId}/schemas/{version:int}", async (string datasetId, int version, DatasetRegistry registry, CancellationToken ct) =>
            TypedResults.Ok(await registry.GetSchemaVersionAsync(datasetId, version, ct)))
            .WithSummary("One schema version with its document.");

        datasets.MapGet("/{datasetId}/feed", async (string datasetId, HttpContext http, DatasetRegistry registry, CancellationToken ct) =>
            TypedResults.Ok(await registry.GetFeedAsync(http.Caller(), datasetId, ct)))
            .WithSummary("The dataset's feed definition; of its credential, only the kind (stewards, admins and auditors of the owner; the operator's admins and auditors). Others: 403, audited.");

        datasets.MapPut("/{datasetId}/feed", async (string datasetId, FeedDefinition body, HttpContext http, DatasetRegistry registry, CancellationToken ct) =>
            TypedResults.Ok(await registry.UpdateFeedAsync(http.Caller(), datasetId, body, ct)))
            .WithSummary("Replace the feed (stewards of the owner). Its credential is set with a secret, kept when absent, cleared with kind none; it is never returned.");
        datasets.MapPut("/{datasetId}/metadata", async (string datasetId, System.Text.Json.Nodes.JsonObject body, HttpContext http, DatasetMetadataService metadata,
            DataExchange.Core.Subscriptions.SubscriptionService subscriptions, CancellationToken ct) =>
        {
            var dataset = await metadata.UpdateMetadataAsync(http.Caller(), datasetId, body, ct);
            // open decides who may read without a key: this node's cached decisions must not outlive the change.
            subscriptions.ForgetDecisions(datasetId);
            return TypedResults.Ok(dataset);
        }).Accepts<DatasetMetadataUpdate>("application/json")
            .WithSummary("Replace the dataset's keywords (tags) and DCAT-AP metadata — licence, contact point, themes, spatial and temporal coverage, open — as a whole (stewards of the owner); every problem is listed at once. Audited dataset-metadata-updated with the members that changed; refusals dataset-metadata-refused.");
        datasets.MapGet("/{datasetId}/versions/{version:int}/datapackage.json", async (string datasetId, int version, HttpContext http, DatasetRegistry registry,
            DataExchange.Core.Ingestion.IngestionService ingestion, CancellationToken ct) =>
        {
            var dataset = await registry.GetAsync(datasetId, ct);
            var published = (await ingestion.ListVersionsAsync(datasetId, ct)).FirstOrDefault(v => v.Version == version)
                ?? throw new DataExchange.Core.Common.NotFoundException($"Dataset '{datasetId}' has no version {version}.");
            var schema = (await registry.GetSchemaVersionAsync(datasetId, published.SchemaVersion, ct)).Schema!.AsObject();
            var request = http.Request;
            var csv = $"{request.Scheme}://{request.Host}{request.PathBase}/api/v1/datasets/{datasetId}/records.csv?version={version}";
            return TypedResults.Ok(DataPackageExporter.Export(dataset, version, schema, csv));
        }).WithName("getDataPackage")
            .WithSummary("A published version as a Frictionless data package: a Table Schema from the record schema (key fields as primary key) and the version's CSV as its resource (read under your policy).")
            .AllowPublic(PublicAccess.Scope.PublicMetadata);
        return api;
    }
}

/// <summary>Schema versions: register, dry-run compatibility, and Frictionless import.</summary>
public static class SchemaEndpoints
{
    /// <summary>Maps POST /datasets/{id}/schemas, /schemas/compatibility and /datasets/frictionless.</summary>
    public static RouteGroupBuilder MapSchemas(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/datasets").WithTags("Datasets");
        group.MapPost("/{datasetId}/schemas", async Task<Created<SchemaVersionInfo>> (string datasetId, System.Text.Json.Nodes.JsonObject schema, HttpContext http, SchemaVersionService versions, CancellationToken ct) =>
        {
            var version = await versions.RegisterSchemaVersionAsync(http.Caller(), datasetId, schema, ct);
            return TypedResults.Created($"/api/v1/datasets/{datasetId}/schemas/{version.Version}", version);
        }).WithSummary("Register the next schema version; refused with every incompatibility listed when it breaks the dataset's compatibility mode.");

        group.MapPost("/{datasetId}/schemas/compatibility", async (string datasetId, System.Text.Json.Nodes.JsonObject schema, HttpContext http, SchemaVersionService versions, CancellationToken ct) =>
            TypedResults.Ok(await versions.CheckCompatibilityAsync(http.Caller(), datasetId, schema, ct)))
            .WithSummary("Dry run: the compatibility report of a candidate schema, registering nothing.");

        group.MapPost("/frictionless", async Task<Created<Dataset>> (FrictionlessImportRequest body, HttpContext http, FrictionlessImport import, CancellationToken ct) =>
        {
            var dataset = await import.ImportAsync(http.Caller(), body, ct);
            return TypedResults.Created($"/api/v1/datasets/{dataset.Id}", dataset);
        }).WithSummary("Register a dataset from a Frictionless datapackage.json (Table Schema → JSON Schema, primaryKey → key fields).");
        return api;
    }
}
