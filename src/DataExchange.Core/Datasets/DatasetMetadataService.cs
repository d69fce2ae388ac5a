using System.Text.Json;
using System.Text.Json.Nodes;
using DataExchange.Core.Audit;
using DataExchange.Core.Common;
using Npgsql;

namespace DataExchange.Core.Datasets;

/// <summary>Replacing a registered dataset's keywords and DCAT-AP metadata (issue 17).</summary>
public sealed class DatasetMetadataService(NpgsqlDataSource dataSource, DatasetRegistry registry, AuditWriter audit)
{
    // Locked, so that the members named as changed are those this update changed.
    const string SelectForUpdate = "select tags, metadata::text from dx.datasets where id = $1 for update";
    const string Update = "update dx.datasets set tags = $2, metadata = $3::jsonb where id = $1";

    /// <summary>
    /// Replaces the tags and metadata of <paramref name="datasetId"/> (stewards of the owning agency), held against the
    /// manifest's own members (schemas: <see cref="DocumentSchemas.DatasetMetadataUpdate"/>) with every problem listed;
    /// <c>open</c> only for a dataset classified public. Audited dataset-metadata-updated with the members that changed;
    /// a refusal (another agency, no steward role, an invalid body) is audited dataset-metadata-refused. Callers that
    /// cache access decisions must forget the dataset's afterwards: <c>open</c> decides anonymous reads.
    /// </summary>
    public async Task<Dataset> UpdateMetadataAsync(Caller caller, string datasetId, JsonObject body, CancellationToken cancellationToken = default)
    {
        Dataset dataset;
        try
        {
            dataset = await registry.RequireOwnerAsync(caller, datasetId, cancellationToken);
        }
        catch (ForbiddenException e)
        {
            await RefuseMetadataAsync(caller, datasetId, e.Code, [], cancellationToken);
            throw e.MarkAudited();
        }
        body = WithoutNulls(body);
        var problems = DocumentSchemas.Errors(DocumentSchemas.DatasetMetadataUpdate, body).ToList();
        DatasetMetadataUpdate? update = null;
        if (problems.Count == 0)
        {
            update = body.Deserialize<DatasetMetadataUpdate>(Json.Options)!;
            if (update.Tags!.Any(string.IsNullOrWhiteSpace))
                problems.Add(new("/tags", "invalid", "Tags are non-empty words of at most 50 characters."));
            if (update.Metadata!.Open == true && dataset.Classification != Classification.Public)
                problems.Add(new("/metadata/open", "open-not-public", $"Only a dataset classified public can be open data; '{datasetId}' is {dataset.Classification}."));
        }
        if (problems.Count > 0 || update is null)
        {
            await RefuseMetadataAsync(caller, datasetId, "invalid-request", problems, cancellationToken);
            throw new InvalidException("invalid-request", "The dataset metadata is not valid; every problem is listed in errors.", problems);
        }

        var tags = update.Tags!.Select(t => t.Trim()).Distinct(StringComparer.Ordinal).ToArray();
        var metadata = update.Metadata!;
        await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken);
        Dictionary<string, JsonNode?> before;
        await using (var cmd = Db.Command(conn, SelectForUpdate, datasetId))
        await using (var r = await cmd.ExecuteReaderAsync(cancellationToken))
        {
            if (!await r.ReadAsync(cancellationToken)) throw new NotFoundException($"Dataset '{datasetId}' does not exist.");
            before = Members(r.GetFieldValue<string[]>(0), JsonSerializer.Deserialize<DatasetMetadata>(r.GetString(1), Json.Options) ?? new DatasetMetadata());
        }
        var after = Members(tags, metadata);
        var changed = new JsonArray([.. after.Where(m => !JsonNode.DeepEquals(m.Value, before[m.Key])).Select(m => (JsonNode?)m.Key)]);
        await using (var cmd = Db.Command(conn, Update, datasetId, tags, JsonSerializer.Serialize(metadata, Json.Options)))
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        await audit.AppendAsync(conn, new AuditRecord(caller, AuditAction.DatasetMetadataUpdated, AuditOutcome.Succeeded, $"{datasetId}/metadata", datasetId, new JsonObject
        {
            ["changed"] = changed, ["open"] = metadata.Open == true, ["licence"] = metadata.Licence,
        }), cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return await registry.GetAsync(datasetId, cancellationToken);
    }

    // One JSON value per member the update replaces, to name what changed.
    static Dictionary<string, JsonNode?> Members(IReadOnlyList<string> tags, DatasetMetadata metadata)
    {
        var members = JsonSerializer.SerializeToNode(metadata, Json.Options)!.AsObject();
        var all = new Dictionary<string, JsonNode?>(StringComparer.Ordinal) { ["tags"] = new JsonArray([.. tags.Select(t => (JsonNode?)t)]) };
        foreach (var name in new[] { "licence", "contactPoint", "themes", "spatial", "temporal", "open" })
            all[name] = members[name]?.DeepClone();
        all["open"] = metadata.Open == true;
        return all;
    }

    async Task RefuseMetadataAsync(Caller caller, string datasetId, string code, IReadOnlyList<ProblemItem> problems, CancellationToken cancellationToken) =>
        await audit.AppendAsync(new AuditRecord(caller, AuditAction.DatasetMetadataRefused, AuditOutcome.Denied, $"{datasetId}/metadata", datasetId, new JsonObject
        {
            ["code"] = code,
            ["problems"] = new JsonArray([.. problems.Select(p => (JsonNode?)$"{p.Pointer} {p.Code}")]),
        }), cancellationToken);

    // A null member is an absent one (generated clients send null for what they leave unset), at any depth.
    static JsonObject WithoutNulls(JsonObject body)
    {
        var copy = (JsonObject)body.DeepClone();
        Strip(copy);
        return copy;

        static void Strip(JsonNode? node)
        {
            if (node is JsonObject o)
            {
                foreach (var name in o.Where(m => m.Value is null).Select(m => m.Key).ToList()) o.Remove(name);
                foreach (var (_, value) in o) Strip(value);
            }
            else if (node is JsonArray a)
            {
                foreach (var item in a) Strip(item);
            }
        }
    }
}
