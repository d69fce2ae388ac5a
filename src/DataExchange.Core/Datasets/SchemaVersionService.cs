using System.Text.Json.Nodes;
using DataExchange.Core.Audit;
using DataExchange.Core.Common;
using DataExchange.Core.Datasets.Compatibility;
using DataExchange.Core.Datasets.Schemas;
using Npgsql;

namespace DataExchange.Core.Datasets;

/// <summary>
/// A dataset's next schema versions: a dry-run compatibility check, and registration under the dataset's
/// compatibility mode. The versions are read through <see cref="DatasetRegistry"/>, which caches them compiled.
/// </summary>
public sealed class SchemaVersionService(NpgsqlDataSource dataSource, DatasetRegistry registry, AuditWriter audit, TimeProvider time)
{
    // The row lock serialises registrations per dataset, so concurrent ones get consecutive numbers
    // and each is checked against the version registered just before it.
    const string LockDataset = "select compatibility from dx.datasets where id = $1 for update";
    const string LatestVersion = "select max(version) from dx.schema_versions where dataset_id = $1";

    /// <summary>Checks <paramref name="schema"/> against the dataset's versions under its mode, without registering it.</summary>
    public async Task<CompatibilityReport> CheckCompatibilityAsync(Caller caller, string datasetId, JsonObject schema, CancellationToken cancellationToken = default)
    {
        var dataset = await registry.RequireOwnerAsync(caller, datasetId, cancellationToken);
        var latest = await registry.LatestSchemaVersionAsync(datasetId, cancellationToken);
        var candidate = await registry.LoadNewSchemaAsync(schema.ToJsonString(), latest + 1, cancellationToken);
        RequireKeyFields(dataset, candidate);
        return await CompareAsync(dataset, candidate, latest, cancellationToken);
    }

    /// <summary>
    /// Registers <paramref name="schema"/> as the dataset's next version when it is compatible under the
    /// dataset's mode; the same schema as the latest returns that version instead (idempotent retries).
    /// </summary>
    public async Task<SchemaVersionInfo> RegisterSchemaVersionAsync(Caller caller, string datasetId, JsonObject schema, CancellationToken cancellationToken = default)
    {
        var dataset = await registry.RequireOwnerAsync(caller, datasetId, cancellationToken);
        var text = schema.ToJsonString();
        await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken);
        await using (var cmd = Db.Command(conn, LockDataset, datasetId))
            dataset = dataset with { Compatibility = await cmd.ExecuteScalarAsync(cancellationToken) as string ?? throw new NotFoundException($"Dataset '{datasetId}' does not exist.") };
        var latest = await LatestSchemaVersionAsync(conn, datasetId, cancellationToken);
        var candidate = await registry.LoadNewSchemaAsync(text, latest + 1, cancellationToken);
        RequireKeyFields(dataset, candidate);
        var previous = await registry.GetSchemaAsync(datasetId, latest, cancellationToken);
        if (previous.Fingerprint == candidate.Fingerprint)
            return (await registry.ListSchemaVersionsAsync(datasetId, cancellationToken)).First(v => v.Version == latest);

        var report = await CompareAsync(dataset, candidate, latest, cancellationToken);
        if (!report.Compatible)
            throw new InvalidException("schema-incompatible",
                $"The schema is not {report.Mode}-compatible with the dataset's earlier versions ({report.Issues.Count} issue(s)).",
                [.. report.Issues.Select(i => new ProblemItem(i.Pointer, i.Rule, $"{Show(i.Old)} → {Show(i.New)}: {i.Message}"))]);

        var now = time.GetUtcNow();
        await DatasetRegistry.InsertSchemaVersionAsync(conn, datasetId, candidate, now, cancellationToken);
        await audit.AppendAsync(conn, new AuditRecord(caller, AuditAction.SchemaVersionRegistered, AuditOutcome.Succeeded, $"{datasetId}@{candidate.Version}", datasetId,
            new JsonObject { ["schemaVersion"] = candidate.Version, ["fingerprint"] = candidate.Fingerprint, ["compatibility"] = report.Mode }), cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return new SchemaVersionInfo(candidate.Version, candidate.Fingerprint, now);
    }

    static string Show(string json) => json.Length == 0 ? "(none)" : json;

    // Keys identify records across versions: a schema without them could not merge with what is stored.
    static void RequireKeyFields(Dataset dataset, DatasetSchema schema)
    {
        var missing = dataset.KeyFields.Where(k => schema.Document["properties"]?[k] is null).ToList();
        if (missing.Count > 0)
            throw new InvalidException("invalid-key-fields", "Every key field must stay a property of the schema.",
                [.. missing.Select(k => new ProblemItem("/properties", "key-field-removed", $"Key field '{k}' must remain a property."))]);
    }

    async Task<CompatibilityReport> CompareAsync(Dataset dataset, DatasetSchema candidate, int latest, CancellationToken cancellationToken)
    {
        var mode = dataset.Compatibility;
        var issues = new List<CompatibilityIssue>();
        var first = SchemaCompatibility.IsTransitive(mode) ? 1 : latest;
        for (var v = latest; v >= first && mode != "NONE"; v--)
        {
            var earlier = await registry.GetSchemaAsync(dataset.Id, v, cancellationToken);
            issues.AddRange(SchemaCompatibility.Check(SchemaBundle.Of(earlier), SchemaBundle.Of(candidate), mode)
                .Select(i => v == latest ? i : i with { Message = $"against version {v}: {i.Message}" }));
        }
        return new CompatibilityReport(issues.Count == 0, mode, issues);
    }

    static async Task<int> LatestSchemaVersionAsync(NpgsqlConnection conn, string id, CancellationToken cancellationToken)
    {
        await using var cmd = Db.Command(conn, LatestVersion, id);
        return await cmd.ExecuteScalarAsync(cancellationToken) is int v ? v : throw new NotFoundException($"Dataset '{id}' does not exist.");
    }
}
