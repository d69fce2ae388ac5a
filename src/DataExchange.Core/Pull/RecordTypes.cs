using System.Text.Json.Nodes;
using DataExchange.Core.Audit;
using DataExchange.Core.Common;
using DataExchange.Core.Datasets;
using DataExchange.Core.Subscriptions;
using Npgsql;

namespace DataExchange.Core.Pull;

/// <summary>The record types of a dataset under the caller's policy, as an OpenAPI document (issue 17).</summary>
public sealed class RecordTypes(NpgsqlDataSource dataSource, PullService pull, DatasetRegistry registry, AuditWriter audit)
{
    const string SchemaVersionSql = "select schema_version from dx.dataset_versions where dataset_id = $1 and version = $2";

    /// <summary>
    /// The OpenAPI document of <paramref name="datasetId"/>'s records as <paramref name="caller"/> receives them at
    /// <paramref name="version"/> (default latest; before a first version, the latest schema), its server under
    /// <paramref name="apiBase"/>. Decided like a read of the records — the same refusal, audited the same way —
    /// except that a lookup-only subscription gets a document with the lookups alone; the answer is audited too.
    /// </summary>
    public async Task<JsonObject> DescribeRecordsAsync(Caller caller, string datasetId, int? version, string apiBase, CancellationToken cancellationToken = default)
    {
        var decision = await pull.AuthorizeAsync(caller, datasetId, requirePull: false, cancellationToken);
        var dataset = await registry.FindAsync(datasetId, cancellationToken) ?? throw new NotFoundException($"Dataset '{datasetId}' does not exist.");
        int? published = version ?? (await LatestPublishedAsync(datasetId, cancellationToken));
        int schemaVersion;
        if (published is { } v)
        {
            await using var cmd = Db.Command(dataSource, SchemaVersionSql, datasetId, v);
            schemaVersion = await cmd.ExecuteScalarAsync(cancellationToken) as int? ?? throw new NotFoundException($"Dataset '{datasetId}' has no version {v}.");
        }
        else schemaVersion = await registry.LatestSchemaVersionAsync(datasetId, cancellationToken);
        var schema = await registry.GetSchemaAsync(datasetId, schemaVersion, cancellationToken);
        var policy = decision.Policy!;
        var document = RecordOpenApi.Build(new RecordOpenApi.Subject(dataset, schema, published, policy, decision.SubscriptionId, Lookups: !caller.IsAnonymous), apiBase);
        await audit.AppendAsync(new AuditRecord(caller, AuditAction.RecordTypesDescribed, AuditOutcome.Allowed, datasetId, datasetId, new JsonObject
        {
            ["version"] = published, ["schemaVersion"] = schemaVersion, ["policyHash"] = policy.Hash, ["subscription"] = decision.SubscriptionId,
            ["fields"] = new JsonArray([.. schema.PropertyNames.Where(policy.Allows).Select(f => (JsonNode?)JsonValue.Create(f))]),
        }), cancellationToken);
        return document;
    }

    async Task<int?> LatestPublishedAsync(string datasetId, CancellationToken cancellationToken)
    {
        await using var cmd = Db.Command(dataSource, "select max(version) from dx.dataset_versions where dataset_id = $1", datasetId);
        return await cmd.ExecuteScalarAsync(cancellationToken) as int?;
    }
}
