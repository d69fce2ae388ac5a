using System.Text.Json.Nodes;
using DataExchange.Core.Common;
using DataExchange.Core.Datasets;
using DataExchange.Core.Subscriptions;

namespace DataExchange.Core.Pull;

/// <summary>What a consumer would receive under a proposed policy: the first rows, projected.</summary>
public sealed record PolicyPreviewResult(AccessPolicy Policy, int? Version, IReadOnlyList<string> Columns, IReadOnlyList<JsonObject> Rows);

/// <summary>
/// Lets the owning steward see, before approving, what a subscription would hand out. The rows are
/// read through <see cref="PullService"/> as the owner (so the read is audited like any pull) and
/// then projected by the proposed policy, the same rule the pull applies to the consumer.
/// </summary>
public sealed class PolicyPreview(SubscriptionService subscriptions, DatasetRegistry registry, PullService pull, MaskKey maskKey)
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
        var page = await pull.ReadPageAsync(caller, dataset.Id, null, null, rows, cancellationToken);
        // The owner's page holds whole records; shape each as the consumer's pull would (fields and masks).
        // Row filters are applied in SQL by the pull itself, so the preview shows the first rows before filtering.
        var shaper = new PolicyShaper(parsed, await maskKey.GetAsync(cancellationToken));
        using var records = System.Text.Json.JsonDocument.Parse(page.ItemsJson);
        var shaped = new List<JsonObject>(page.Count);
        foreach (var record in records.RootElement.EnumerateArray())
        {
            var buffer = new System.IO.MemoryStream();
            using (var writer = new System.Text.Json.Utf8JsonWriter(buffer)) shaper.WriteJson(writer, record);
            shaped.Add(JsonNode.Parse(buffer.ToArray())!.AsObject());
        }
        return new PolicyPreviewResult(parsed, page.Version, columns, shaped);
    }
}
