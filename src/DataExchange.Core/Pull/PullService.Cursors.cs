using System.Text.Json.Nodes;
using DataExchange.Core.Audit;
using DataExchange.Core.Common;
using DataExchange.Core.Subscriptions;

namespace DataExchange.Core.Pull;

public sealed partial class PullService
{
    /// <summary>
    /// Authorises a snapshot read and opens the cursor <paramref name="after"/> (bound to this caller,
    /// subscription and dataset): the context at the cursor's pinned version, else at
    /// <paramref name="version"/>, and the key to continue after.
    /// </summary>
    public async Task<(PullContext Context, string? AfterKey)> OpenRecordsAsync(Caller caller, string datasetId, int? version, string? after, CancellationToken cancellationToken = default)
    {
        var decision = await AuthorizeAsync(caller, datasetId, cancellationToken);
        var cursor = await OpenCursorAsync(caller, Scope(caller, decision, datasetId, CursorScope.Records, null), after, cancellationToken);
        return (await OpenAsync(caller, decision, datasetId, cursor?.Version ?? version, cancellationToken), cursor?.Key);
    }

    internal async Task<(PullContext Context, string? AfterKey)> OpenChangesAsync(Caller caller, string datasetId, int since, int? until, string? after, CancellationToken cancellationToken)
    {
        var decision = await AuthorizeAsync(caller, datasetId, cancellationToken);
        var cursor = await OpenCursorAsync(caller, Scope(caller, decision, datasetId, CursorScope.Changes, since), after, cancellationToken);
        var context = await OpenAsync(caller, decision, datasetId, cursor?.Version ?? until, cancellationToken);
        if (since < 0 || since > context.Version)
            throw new InvalidException("invalid-range", "since must be between 0 and until.", [new("/since", "range", $"Use 0–{context.Version}.")]);
        return (context, cursor?.Key);
    }

    /// <summary>The cursor of the page after <paramref name="lastKey"/>, in the scope it will be opened in.</summary>
    internal Task<string> NextCursorAsync(Caller caller, PullContext context, string list, int? since, string lastKey, CancellationToken cancellationToken) =>
        cursors.ProtectAsync(Scope(caller, context.Decision, context.DatasetId, list, since), context.Version, lastKey, cancellationToken);

    static CursorScope Scope(Caller caller, AccessDecision decision, string datasetId, string list, int? since) =>
        new(caller.ClientId, decision.SubscriptionId, datasetId, list, since);

    /// <summary>
    /// Opens a cursor; one that is garbage, tampered with, or given out to another caller, subscription,
    /// dataset, list or range is refused with 400 <c>invalid-cursor</c> and audited like any refused
    /// data access (a forged cursor is a probe for other consumers' rows).
    /// </summary>
    async Task<(int Version, string Key)?> OpenCursorAsync(Caller caller, CursorScope scope, string? after, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(after)) return null;
        if (await cursors.UnprotectAsync(scope, after, cancellationToken) is { } cursor) return cursor;
        await audit.AppendAsync(new AuditRecord(caller, AuditAction.AccessDenied, AuditOutcome.Denied, scope.DatasetId, scope.DatasetId,
            new JsonObject { ["reason"] = "invalid-cursor", ["list"] = scope.List, ["subscription"] = scope.SubscriptionId }), cancellationToken);
        throw new InvalidException("invalid-cursor", "The cursor is not one this API gave out for this request.",
            [new("/after", "cursor", "Pass the 'next' value of the previous page unchanged, with the same key, dataset and since.")]);
    }
}
