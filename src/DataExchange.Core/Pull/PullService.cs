using System.Text.Json.Nodes;
using DataExchange.Core.Audit;
using DataExchange.Core.Common;
using DataExchange.Core.Datasets;
using DataExchange.Core.Subscriptions;
using Npgsql;

namespace DataExchange.Core.Pull;

/// <summary>
/// What every read of records shares: the access decision, made on every request (expiry and revocation
/// take effect immediately), the published version it is pinned to, its cursors, and its audit entry.
/// Every pull and every refusal is audited with dataset, version, rows and policy hash. The reads themselves
/// are <see cref="SnapshotReader"/> (pages and streams of a version), <see cref="ChangeFeed"/> (changes between
/// versions) and <see cref="RecordTypes"/> (the records' OpenAPI document); <see cref="PullQuota"/> charges their
/// rows and <see cref="RecordStreamer"/> streams them.
/// </summary>
public sealed partial class PullService(ReadDataSource reads, SubscriptionService subscriptions, DatasetRegistry registry, AuditWriter audit, MaskKey maskKey,
    PullCursor cursors, PullQuota quota, PullMetrics metrics)
{
    async Task<PullContext> OpenAsync(Caller caller, AccessDecision decision, string datasetId, int? version, CancellationToken cancellationToken)
    {
        var published = await VersionAsync(datasetId, version, cancellationToken);
        var schema = await registry.GetSchemaAsync(datasetId, published.SchemaVersion, cancellationToken);
        var policy = decision.Policy!;
        var columns = schema.PropertyNames.Where(policy.Allows).ToList();
        await quota.EnsureLeftAsync(caller, decision, datasetId, cancellationToken);
        return new PullContext(datasetId, published.Version, decision, new PolicyShaper(policy, await maskKey.GetAsync(cancellationToken), published.KeyFields), columns);
    }

    /// <summary>What a read of a published version needs besides the policy: its schema version and the dataset's key fields.</summary>
    readonly record struct PublishedVersion(int Version, int SchemaVersion, string[] KeyFields);

    // A published version never changes (nor do a dataset's key fields), so what is known of one is kept:
    // the pages after the first (their cursor names the version) look nothing up. Bounded like the access caches.
    readonly System.Collections.Concurrent.ConcurrentDictionary<(string DatasetId, int Version), PublishedVersion> _versions = new();

    /// <summary>Version <paramref name="version"/> (default the latest) of a dataset, in one round trip when not known yet; 404 when there is none.</summary>
    async Task<PublishedVersion> VersionAsync(string datasetId, int? version, CancellationToken cancellationToken)
    {
        if (version is { } pinned && _versions.TryGetValue((datasetId, pinned), out var known)) return known;
        const string sql = """
            select v.version, v.schema_version, d.key_fields from dx.dataset_versions v join dx.datasets d on d.id = v.dataset_id
            where v.dataset_id = $1 and v.version = coalesce($2, (select max(version) from dx.dataset_versions where dataset_id = $1))
            """;
        PublishedVersion found;
        await using (var cmd = Db.Command(reads.Source, sql, datasetId, Db.Typed(version)))
        {
            await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
            if (!await r.ReadAsync(cancellationToken))
                throw new NotFoundException(version is { } v ? $"Dataset '{datasetId}' has no version {v}." : $"Dataset '{datasetId}' has no published version yet.");
            found = new PublishedVersion(r.GetInt32(0), r.GetInt32(1), r.GetFieldValue<string[]>(2));
        }
        if (_versions.Count >= 10_000) _versions.Clear();
        _versions[(datasetId, found.Version)] = found;
        return found;
    }

    /// <summary>
    /// Makes the access decision and audits a refusal before throwing 403; a subscription approved for
    /// lookups only (issue 16) is refused bulk reads with <c>pull-not-approved</c>.
    /// </summary>
    public Task<AccessDecision> AuthorizeAsync(Caller caller, string datasetId, CancellationToken cancellationToken) =>
        AuthorizeAsync(caller, datasetId, requirePull: true, cancellationToken);

    internal async Task<AccessDecision> AuthorizeAsync(Caller caller, string datasetId, bool requirePull, CancellationToken cancellationToken)
    {
        var decision = await subscriptions.DecideAsync(caller, datasetId, cancellationToken);
        if (requirePull && decision.Allowed && !decision.Policy!.Access.Contains(AccessKind.Pull))
            decision = decision with
            {
                Allowed = false,
                Code = "pull-not-approved",
                Reason = $"Subscription {decision.SubscriptionId} is approved for lookups only (GET …/records/{{key}}, POST …/lookups), not for bulk pulls.",
            };
        if (decision.Allowed) return decision;
        await audit.AppendAsync(new AuditRecord(caller, AuditAction.AccessDenied, AuditOutcome.Denied, datasetId, datasetId,
            new JsonObject { ["reason"] = decision.Code, ["detail"] = decision.Reason, ["subscription"] = decision.SubscriptionId }), cancellationToken);
        throw new ForbiddenException(decision.Code, decision.Reason).MarkAudited();
    }

    /// <summary>
    /// Audits a pull (also a 304) and settles its rows in one transaction, grouped with other requests'
    /// entries: counts the <paramref name="rows"/> served when <paramref name="budget"/> is counted at the audit,
    /// else gives back what it reserved beyond them;
    /// then counts it in the metrics with the <paramref name="bytes"/> written.
    /// </summary>
    public async Task RecordPullAsync(Caller caller, PullContext context, AuditAction action, long rows, string format, JsonObject? extra = null, RowBudget? budget = null,
        long bytes = 0)
    {
        var details = PullDetails(context, format, extra);
        details["rows"] = rows;
        var record = new AuditRecord(caller, action, AuditOutcome.Allowed, $"{context.DatasetId}@{context.Version}", context.DatasetId, details);
        // Only a give-back needs a statement of its own in the group; a count rides the group's statements, and a
        // pull with nothing to settle is a plain entry.
        if (budget is { CountedWhenAudited: true } && rows > 0)
            await audit.AppendAsync(new RowCharge(budget.SubscriptionId, budget.Day, rows, Quota: null), _ => record);
        else if (budget is not null && budget.Reserved > rows)
            await audit.AppendAsync(async (conn, _) =>
            {
                await PullQuota.GiveBackAsync(conn, budget, rows);
                return record;
            });
        else
            await audit.AppendAsync(record);
        var outcome = action == AuditAction.PullInterrupted ? PullMetrics.Interrupted : details["notModified"] is not null ? PullMetrics.NotModified : PullMetrics.Completed;
        metrics.Pulled(context, details["list"]?.GetValue<string>() ?? (action == AuditAction.ChangesPulled ? CursorScope.Changes : CursorScope.Records), format, outcome, rows, bytes);
    }

    /// <summary>What every pull entry says: the version, policy hash, format and subscription, after <paramref name="extra"/>.</summary>
    internal static JsonObject PullDetails(PullContext context, string format, JsonObject? extra)
    {
        var details = extra ?? new JsonObject();
        details["version"] = context.Version;
        details["policyHash"] = context.Policy.Hash;
        details["format"] = format;
        details["subscription"] = context.Decision.SubscriptionId;
        return details;
    }
}
