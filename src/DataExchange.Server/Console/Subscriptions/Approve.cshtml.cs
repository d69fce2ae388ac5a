using System.Text.Json.Nodes;
using DataExchange.Core.Common;
using DataExchange.Core.Datasets;
using DataExchange.Core.Pull;
using DataExchange.Core.Subscriptions;
using Microsoft.AspNetCore.Mvc;

namespace DataExchange.Server.Console.Subscriptions;

/// <summary>
/// Reviews one request: a policy form (which fields) with a preview of the first records the
/// consumer would receive under it, then approve or reject. Owner stewards only (the preview
/// capability refuses anyone else before anything is shown).
/// </summary>
public sealed class ApproveModel(SubscriptionService subscriptions, DatasetRegistry registry, PolicyPreview preview) : ConsolePage
{
    [BindProperty(SupportsGet = true)] public string Id { get; set; } = "";
    [BindProperty] public List<string> Fields { get; set; } = [];
    [BindProperty] public DateTimeOffset? ExpiresAt { get; set; }
    [BindProperty] public string? Reason { get; set; }

    public Subscription Subscription { get; private set; } = null!;
    public IReadOnlyList<string> Properties { get; private set; } = [];
    public PolicyPreviewResult Preview { get; private set; } = null!;
    public ConsoleProblem? Problem { get; private set; }

    /// <summary>Starts from the fields the consumer asked for (all when it named none).</summary>
    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        Fields = [.. Subscription.Fields ?? Properties];
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

    JsonObject Policy() => new() { ["fields"] = new JsonArray([.. Fields.Select(f => JsonValue.Create(f))]) };
}
