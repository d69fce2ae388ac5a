using System.Text.Json.Nodes;
using DataExchange.Core.Audit;
using DataExchange.Core.Common;
using DataExchange.Core.Subscriptions;
using Npgsql;

namespace DataExchange.Core.Pull;

/// <summary>
/// Reads records under the caller's access decision, made on every request (expiry and revocation
/// take effect immediately). Every pull and every refusal is audited.
/// </summary>
public sealed class PullService(NpgsqlDataSource dataSource, SubscriptionService subscriptions, AuditWriter audit)
{
    // Keyset paging at a fixed version: the cursor carries the version, so pages stay consistent
    // while newer versions publish. The (dataset_id, key, valid_from) primary key serves the scan.
    const string SnapshotSql = """
        select key, data::text from dx.records
        where dataset_id = $1 and valid_from <= $2 and (valid_to is null or valid_to > $2) and key > $3
        order by key limit $4
        """;

    /// <summary>The latest published version, or 404 when nothing is published yet.</summary>
    public async Task<int> LatestVersionAsync(string datasetId, CancellationToken cancellationToken)
    {
        await using var cmd = Db.Command(dataSource, "select max(version) from dx.dataset_versions where dataset_id = $1", datasetId);
        return await cmd.ExecuteScalarAsync(cancellationToken) is int v ? v : throw new NotFoundException($"Dataset '{datasetId}' has no published version yet.");
    }

    /// <summary>A page of the snapshot at <paramref name="version"/> (default: latest).</summary>
    public async Task<RecordPage> ReadPageAsync(Caller caller, string datasetId, int? version, string? after, int? limit, CancellationToken cancellationToken = default)
    {
        var decision = await AuthorizeAsync(caller, datasetId, cancellationToken);
        var take = Paging.Limit(limit);
        var (atVersion, afterKey) = DecodeCursor(after);
        var v = atVersion ?? version ?? await LatestVersionAsync(datasetId, cancellationToken);
        await EnsureVersionAsync(datasetId, v, cancellationToken);

        var items = new List<JsonNode>(take);
        string? lastKey = null;
        var hasMore = false;
        await using (var cmd = Db.Command(dataSource, SnapshotSql, datasetId, v, afterKey ?? "", take + 1))
        await using (var r = await cmd.ExecuteReaderAsync(cancellationToken))
        {
            while (await r.ReadAsync(cancellationToken))
            {
                // One row beyond the page tells whether there is a next page without a second query.
                if (items.Count == take) { hasMore = true; break; }
                lastKey = r.GetString(0);
                items.Add(Project(JsonNode.Parse(r.GetString(1))!.AsObject(), decision.Policy!));
            }
        }
        var next = hasMore ? Paging.Encode($"{v}:{lastKey}") : null;
        await audit.AppendAsync(new AuditRecord(caller, AuditAction.RecordsPulled, AuditOutcome.Allowed, $"{datasetId}@{v}", datasetId,
            new JsonObject { ["version"] = v, ["rows"] = items.Count, ["policyHash"] = decision.Policy!.Hash, ["format"] = "json", ["subscription"] = decision.SubscriptionId }), cancellationToken);
        return new RecordPage(datasetId, v, decision.Policy.Hash, items, next);
    }

    /// <summary>Makes the access decision and audits a refusal before throwing 403.</summary>
    public async Task<AccessDecision> AuthorizeAsync(Caller caller, string datasetId, CancellationToken cancellationToken)
    {
        var decision = await subscriptions.DecideAsync(caller, datasetId, cancellationToken);
        if (decision.Allowed) return decision;
        await audit.AppendAsync(new AuditRecord(caller, AuditAction.AccessDenied, AuditOutcome.Denied, datasetId, datasetId,
            new JsonObject { ["reason"] = decision.Code, ["detail"] = decision.Reason, ["subscription"] = decision.SubscriptionId }), cancellationToken);
        throw new ForbiddenException(decision.Code, decision.Reason);
    }

    async Task EnsureVersionAsync(string datasetId, int version, CancellationToken cancellationToken)
    {
        await using var cmd = Db.Command(dataSource, "select 1 from dx.dataset_versions where dataset_id = $1 and version = $2", datasetId, version);
        if (await cmd.ExecuteScalarAsync(cancellationToken) is null)
            throw new NotFoundException($"Dataset '{datasetId}' has no version {version}.");
    }

    static JsonNode Project(JsonObject record, AccessPolicy policy)
    {
        if (policy.Fields is null) return record;
        var projected = new JsonObject();
        foreach (var f in policy.Fields)
            if (record.TryGetPropertyValue(f, out var value)) projected[f] = value?.DeepClone();
        return projected;
    }

    static (int? Version, string? Key) DecodeCursor(string? after)
    {
        if (Paging.Decode(after) is not { } cursor) return (null, null);
        var colon = cursor.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || !int.TryParse(cursor.AsSpan(0, colon), out var v))
            throw new InvalidException("invalid-cursor", "The cursor is not one this API gave out.", [new("/after", "cursor", "Pass the 'next' value unchanged.")]);
        return (v, cursor[(colon + 1)..]);
    }
}
