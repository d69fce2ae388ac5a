using System.Text.Json.Nodes;
using DataExchange.Core.Common;
using DataExchange.Core.Datasets;
using DataExchange.Core.Pull;
using DataExchange.Core.Subscriptions;
using Microsoft.AspNetCore.Mvc;

namespace DataExchange.Server.Console.Subscriptions;

/// <summary>
/// Reviews one request: a policy form (which fields; pulls and lookups or lookups only; the purposes
/// lookups may name) with a preview of the first records the consumer would receive under it, then
/// approve or reject. Owner stewards only (the preview
/// capability refuses anyone else before anything is shown).
/// </summary>
public sealed class ApproveModel(SubscriptionService subscriptions, DatasetRegistry registry, PolicyPreview preview) : ConsolePage
{
    [BindProperty(SupportsGet = true)] public string Id { get; set; } = "";
    [BindProperty] public List<string> Fields { get; set; } = [];
    [BindProperty] public DateTimeOffset? ExpiresAt { get; set; }
    [BindProperty] public string? Reason { get; set; }

    /// <summary>How the consumer may read (<see cref="AccessChoice"/>): both, lookups only or pulls only.</summary>
    [BindProperty] public string Access { get; set; } = AccessChoice.Both;

    /// <summary>The purposes lookups may name, one per line; empty: only the purpose of the request.</summary>
    [BindProperty] public string? Purposes { get; set; }

    public Subscription Subscription { get; private set; } = null!;
    public IReadOnlyList<string> Properties { get; private set; } = [];
    public PolicyPreviewResult Preview { get; private set; } = null!;
    public ConsoleProblem? Problem { get; private set; }

    /// <summary>Starts from the fields the consumer asked for (all when it named none).</summary>
    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        Fields = [.. Subscription.Fields ?? Properties];
        Purposes = Subscription.Purpose;
        Preview = await preview.PreviewAsync(Caller, Id, Policy(), cancellationToken: cancellationToken);
    }

    /// <summary>Shows what the chosen fields would hand out.</summary>
    public async Task<IActionResult> OnPostPreviewAsync(CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        Preview = await preview.PreviewAsync(Caller, Id, Policy(), cancellationToken: cancellationToken);
        return Page();
    }

    /// <summary>Approves with the chosen fields and optional expiry.</summary>
    public async Task<IActionResult> OnPostApproveAsync(CancellationToken cancellationToken) =>
        await DecideAsync(() => subscriptions.ApproveAsync(Caller, Id, new ApprovalRequest(Policy(), ExpiresAt?.ToUniversalTime()), cancellationToken), "approved", cancellationToken);

    /// <summary>Rejects with a reason.</summary>
    public async Task<IActionResult> OnPostRejectAsync(CancellationToken cancellationToken) =>
        await DecideAsync(() => subscriptions.RejectAsync(Caller, Id, new RejectionRequest(Reason), cancellationToken), "rejected", cancellationToken);

    async Task<IActionResult> DecideAsync(Func<Task<Subscription>> decide, string verb, CancellationToken cancellationToken)
    {
        try
        {
            await decide();
            return Redirect($"/console/subscriptions?done={Uri.EscapeDataString($"Subscription {Id} {verb}.")}");
        }
        catch (InvalidException e)
        {
            Problem = ProblemPageFilter.From(e);
            await LoadAsync(cancellationToken);
            Preview = await preview.PreviewAsync(Caller, Id, Policy(), cancellationToken: cancellationToken);
            Response.StatusCode = 400;
            return Page();
        }
    }

    async Task LoadAsync(CancellationToken cancellationToken)
    {
        Subscription = await subscriptions.GetAsync(Caller, Id, cancellationToken);
        var dataset = await registry.FindAsync(Subscription.DatasetId, cancellationToken) ?? throw new NotFoundException($"Dataset '{Subscription.DatasetId}' does not exist.");
        Properties = [.. (await registry.GetSchemaAsync(dataset.Id, dataset.SchemaVersion, cancellationToken)).PropertyNames];
    }

    /// <summary>The policy of the form: fields, and <c>access</c> and <c>purposes</c> when they say more than the default.</summary>
    JsonObject Policy()
    {
        var policy = new JsonObject { ["fields"] = new JsonArray([.. Fields.Select(f => JsonValue.Create(f))]) };
        if (AccessChoice.Kinds(Access) is { } kinds) policy["access"] = new JsonArray([.. kinds.Select(k => JsonValue.Create(k))]);
        var purposes = (Purposes ?? "").Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal).ToList();
        if (purposes.Count > 0) policy["purposes"] = new JsonArray([.. purposes.Select(p => JsonValue.Create(p))]);
        return policy;
    }
}
