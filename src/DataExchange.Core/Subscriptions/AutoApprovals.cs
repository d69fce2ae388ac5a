using System.Text.Json.Nodes;
using DataExchange.Core.Audit;
using DataExchange.Core.Common;
using DataExchange.Core.Datasets;
using Npgsql;

namespace DataExchange.Core.Subscriptions;

/// <summary>
/// Public datasets' auto-approval: a steward of the owning agency sets a default policy, and requests arriving
/// later are approved on arrival with it, in the same transaction as the request.
/// </summary>
public sealed class AutoApprovals(NpgsqlDataSource dataSource, DatasetRegistry registry, AuditWriter audit, TimeProvider time)
{
    /// <summary>
    /// Sets a public dataset's default policy: later requests are approved on arrival with it (the
    /// requested fields, if any, narrow its fields). Only for <c>public</c> datasets; owner stewards only.
    /// </summary>
    public async Task<AutoApproval> SetAsync(Caller caller, string datasetId, AutoApprovalRequest request, CancellationToken cancellationToken = default)
    {
        var dataset = await OwnedDatasetAsync(caller, datasetId, cancellationToken);
        if (dataset.Classification != "public")
            throw new ConflictException("not-public", $"Only public datasets can be auto-approved; '{datasetId}' is {dataset.Classification}.");
        var schema = await registry.GetSchemaAsync(datasetId, dataset.SchemaVersion, cancellationToken);
        var policy = AccessPolicy.Parse(request.Policy ?? [], schema.PropertyNames);
        const string sql = """
            insert into dx.auto_approvals (dataset_id, policy, set_by, set_at) values ($1, $2, $3, $4)
            on conflict (dataset_id) do update set policy = excluded.policy, set_by = excluded.set_by, set_at = excluded.set_at
            """;
        var now = time.GetUtcNow();
        await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken);
        await using (var cmd = Db.Command(conn, sql, datasetId, Db.Jsonb(policy.Document.ToJsonString()), caller.ClientId, now))
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        await audit.AppendAsync(conn, new AuditRecord(caller, AuditAction.AutoApprovalSet, AuditOutcome.Succeeded, datasetId, datasetId,
            new JsonObject { ["policyHash"] = policy.Hash }), cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return new AutoApproval(datasetId, policy.Document, policy.Hash, caller.ClientId, now);
    }

    /// <summary>Turns auto-approval off; existing subscriptions stay as they are.</summary>
    public async Task RemoveAsync(Caller caller, string datasetId, CancellationToken cancellationToken = default)
    {
        await OwnedDatasetAsync(caller, datasetId, cancellationToken);
        await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken);
        await using (var cmd = Db.Command(conn, "delete from dx.auto_approvals where dataset_id = $1", datasetId)) await cmd.ExecuteNonQueryAsync(cancellationToken);
        await audit.AppendAsync(conn, new AuditRecord(caller, AuditAction.AutoApprovalRemoved, AuditOutcome.Succeeded, datasetId, datasetId), cancellationToken);
        await tx.CommitAsync(cancellationToken);
    }

    /// <summary>Approves request <paramref name="id"/> with the dataset's default policy, if it has one.</summary>
    /// <remarks>Inside the request's transaction, so the request and its automatic approval commit together.</remarks>
    internal async Task ApplyAsync(NpgsqlConnection conn, Caller caller, string id, Dataset dataset, IReadOnlyList<string>? requestedFields, CancellationToken cancellationToken)
    {
        if (dataset.Classification != "public") return;
        string? stored;
        await using (var cmd = Db.Command(conn, "select policy::text from dx.auto_approvals where dataset_id = $1", dataset.Id))
            stored = await cmd.ExecuteScalarAsync(cancellationToken) as string;
        if (stored is null) return;
        var document = JsonNode.Parse(stored)!.AsObject();
        if (requestedFields is not null)
        {
            var allowed = AccessPolicy.FromStored(document);
            document["fields"] = new JsonArray([.. requestedFields.Where(allowed.Allows).Select(f => JsonValue.Create(f))]);
            if (document["masks"] is JsonObject masks)
                foreach (var m in masks.Select(p => p.Key).Where(m => !requestedFields.Contains(m)).ToList()) masks.Remove(m);
        }
        var policy = AccessPolicy.FromStored(document);
        const string sql = "update dx.subscriptions set status = 'approved', policy = $2, decided_at = $3, decided_by = 'auto-approval' where id = $1";
        await using (var cmd = Db.Command(conn, sql, id, Db.Jsonb(policy.Document.ToJsonString()), time.GetUtcNow()))
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        await audit.AppendAsync(conn, new AuditRecord(caller, AuditAction.SubscriptionApproved, AuditOutcome.Succeeded, id, dataset.Id,
            new JsonObject { ["policyHash"] = policy.Hash, ["auto"] = true, ["consumer"] = caller.AgencyId }), cancellationToken);
    }

    async Task<Dataset> OwnedDatasetAsync(Caller caller, string datasetId, CancellationToken cancellationToken)
    {
        caller.Require(Role.Steward);
        var dataset = await registry.FindAsync(datasetId, cancellationToken) ?? throw new NotFoundException($"Dataset '{datasetId}' does not exist.");
        if (dataset.Owner != caller.AgencyId) throw new ForbiddenException("not-owner", "Only stewards of the owning agency set its auto-approval.");
        return dataset;
    }
}
