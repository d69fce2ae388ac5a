using System.Text.Json.Nodes;
using DataExchange.Core.Common;
using DataExchange.Core.Datasets;
using DataExchange.Core.Subscriptions;

namespace DataExchange.Core.Pull;

/// <summary>What a consumer would receive under a proposed policy: the first rows, projected.</summary>
public sealed record PolicyPreviewResult(AccessPolicy Policy, int? Version, IReadOnlyList<string> Columns, IReadOnlyList<JsonObject> Rows);

/// <summary>
/// Lets the owning steward see, before approving, what a subscription would hand out. The rows are
/// read through <see cref="SnapshotReader"/> as the owner (so the read is audited like any pull) under the
/// proposed policy: its row filters in SQL and its fields and masks on the way out, the same rules the
/// pull applies to the consumer. The owner's read carries no subscription, so the policy's quota is not charged.
/// </summary>
public sealed class PolicyPreview(SubscriptionService subscriptions, DatasetRegistry registry, PullService pull, SnapshotReader snapshot, MaskKey maskKey)
{
    /// <summary>The first <paramref name="rows"/> records of the subscription's dataset under <paramref name="policy"/>.</summary>
    public async Task<PolicyPreviewResult> PreviewAsync(Caller caller, string subscriptionId, JsonObject policy, int rows = 5, CancellationToken cancellationToken = default)
    {
        caller.Require(Role.Steward);
        var sub = await subscriptions.GetAsync(caller, subscriptionId, cancellationToken);
        var dataset = await registry.FindAsync(sub.DatasetId, cancellationToken) ?? throw new NotFoundException($"Dataset '{sub.DatasetId}' does not exist.");
        if (dataset.Owner != caller.AgencyId)
            throw new ForbiddenException("not-owner", "Only stewards of the agency that owns the dataset preview its policies.");
        var schema = await registry.GetSchemaAsync(dataset.Id, dataset.SchemaVersion, cancellationToken);
        var parsed = AccessPolicy.Parse(policy, schema.PropertyNames);
        var columns = parsed.Fields ?? [.. schema.PropertyNames];
        if (dataset.LatestVersion is null) return new PolicyPreviewResult(parsed, null, columns, []);
        var (owner, _) = await pull.OpenRecordsAsync(caller, dataset.Id, null, null, cancellationToken);
        var shaper = new PolicyShaper(parsed, await maskKey.GetAsync(cancellationToken), owner.Decision.KeyFields);
        var proposed = owner with { Decision = owner.Decision with { Policy = parsed }, Shaper = shaper, Columns = [.. owner.Columns.Where(parsed.Allows)] };
        var page = await snapshot.ReadPageAsync(caller, proposed, null, rows, cancellationToken);
        var shaped = JsonNode.Parse(page.ItemsJson)!.AsArray().Select(r => r!.AsObject()).ToList();
        return new PolicyPreviewResult(parsed, page.Version, columns, shaped);
    }
}
