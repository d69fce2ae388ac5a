using System.Text.Json.Nodes;
using DataExchange.Core.Common;
using DataExchange.Core.Datasets;
using DataExchange.Core.Pull;
using DataExchange.Core.Subscriptions;
using Microsoft.AspNetCore.Mvc;

namespace DataExchange.Server.Console.Subscriptions;

/// <summary>
/// Reviews one request: a policy form (which fields and their masks; row filters; a daily row quota; pulls and
/// lookups or lookups only; the purposes lookups may name; expiry) with a preview of the first records the consumer
/// would receive under it, then approve or reject. What the form cannot read, and what the policy check refuses,
/// comes back on the form with the policy's pointers (400). Owner stewards only (the preview capability refuses
/// anyone else before anything is shown).
/// </summary>
public sealed class ApproveModel(SubscriptionService subscriptions, DatasetRegistry registry, PolicyPreview preview) : ConsolePage
{
    /// <summary>Filter rows the form offers at most (filled ones and one spare).</summary>
    public const int MaxFilters = 8;

    [BindProperty(SupportsGet = true)] public string Id { get; set; } = "";
    [BindProperty] public List<string> Fields { get; set; } = [];
    [BindProperty] public DateTimeOffset? ExpiresAt { get; set; }
    [BindProperty] public string? Reason { get; set; }

    /// <summary>How the consumer may read (<see cref="AccessChoice"/>): both, lookups only or pulls only.</summary>
    [BindProperty] public string Access { get; set; } = AccessChoice.Both;

    /// <summary>The purposes lookups may name, one per line; empty: only the purpose of the request.</summary>
    [BindProperty] public string? Purposes { get; set; }

    /// <summary>One mask choice per field of the dataset.</summary>
    [BindProperty] public List<MaskInput> Masks { get; set; } = [];

    /// <summary>The row filters; blank rows are ignored.</summary>
    [BindProperty] public List<FilterInput> Filters { get; set; } = [];

    /// <summary>Rows per UTC day; empty for no quota.</summary>
    [BindProperty] public string? DailyRowQuota { get; set; }

    public Subscription Subscription { get; private set; } = null!;
    public IReadOnlyList<string> Properties { get; private set; } = [];
    public PolicyPreviewResult? Preview { get; private set; }
    public ConsoleProblem? Problem { get; private set; }
    IReadOnlyDictionary<string, string[]> _types = new Dictionary<string, string[]>();

    /// <summary>Starts from the approved policy when there is one, else from the fields the consumer asked for (all when it named none).</summary>
    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        var policy = Subscription.Status == SubscriptionStatus.Approved ? Subscription.Policy : null;
        var stored = AccessPolicy.FromStored(policy);
        Fields = [.. (policy is null ? Subscription.Fields : stored.Fields) ?? Properties];
        (Masks, Filters, DailyRowQuota) = PolicyForm.From(policy, Properties);
        Purposes = stored.Purposes is { } named ? string.Join('\n', named) : Subscription.Purpose;
        Access = policy is null || stored.Access.Count > 1 ? AccessChoice.Both : stored.Access.Single();
        ExpiresAt = Subscription.Status == SubscriptionStatus.Approved ? Subscription.ExpiresAt : null;
        await PreviewAsync(cancellationToken);
    }

    /// <summary>Shows what the chosen rules would hand out.</summary>
    public async Task<IActionResult> OnPostPreviewAsync(CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        await PreviewAsync(cancellationToken);
        if (Problem is not null) Response.StatusCode = 400;
        return Page();
    }

    /// <summary>Approves with the chosen rules and optional expiry.</summary>
    public async Task<IActionResult> OnPostApproveAsync(CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        return await DecideAsync(() => subscriptions.ApproveAsync(Caller, Id, new ApprovalRequest(Policy(), ExpiresAt?.ToUniversalTime()), cancellationToken), "approved", cancellationToken);
    }

    /// <summary>Rejects with a reason.</summary>
    public async Task<IActionResult> OnPostRejectAsync(CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        return await DecideAsync(() => subscriptions.RejectAsync(Caller, Id, new RejectionRequest(Reason), cancellationToken), "rejected", cancellationToken);
    }

    async Task<IActionResult> DecideAsync(Func<Task<Subscription>> decide, string verb, CancellationToken cancellationToken)
    {
        try
        {
            await decide();
            return Redirect($"/console/subscriptions?{verb}={Uri.EscapeDataString(Id)}");
        }
        catch (InvalidException e)
        {
            Problem = ProblemPageFilter.From(e);
            // The steward's own rules may be what is wrong: preview only when they are valid, keep the refusal either way.
            var refused = Problem;
            await PreviewAsync(cancellationToken);
            Problem = refused;
            Response.StatusCode = 400;
            return Page();
        }
    }

    async Task PreviewAsync(CancellationToken cancellationToken)
    {
        try
        {
            Preview = await preview.PreviewAsync(Caller, Id, Policy(), cancellationToken: cancellationToken);
        }
        catch (InvalidException e)
        {
            Problem = ProblemPageFilter.From(e);
            Preview = null;
        }
    }

    async Task LoadAsync(CancellationToken cancellationToken)
    {
        Subscription = await subscriptions.GetAsync(Caller, Id, cancellationToken);
        var dataset = await registry.FindAsync(Subscription.DatasetId, cancellationToken) ?? throw new NotFoundException($"Dataset '{Subscription.DatasetId}' does not exist.");
        var schema = await registry.GetSchemaAsync(dataset.Id, dataset.SchemaVersion, cancellationToken);
        Properties = [.. schema.PropertyNames];
        _types = PolicyForm.Types(schema.Document, Properties);
        // One mask row per field, whatever was posted; filled filter rows first, then one spare.
        var posted = Masks.Where(m => m.Field.Length > 0).GroupBy(m => m.Field, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        Masks = [.. Properties.Select(p => posted.GetValueOrDefault(p) ?? new MaskInput { Field = p })];
        Filters = [.. Filters.Where(f => !f.IsBlank).Take(MaxFilters)];
    }

    /// <summary>The rows the form shows: the filled filters and a spare one.</summary>
    public IReadOnlyList<FilterInput> FilterRows => Filters.Count < MaxFilters ? [.. Filters, new FilterInput()] : Filters;

    /// <summary>
    /// The policy of the form: fields, masks, filters, quota, and <c>access</c> and <c>purposes</c> when they say more
    /// than the default. Throws <see cref="InvalidException"/> listing everything the form could not read.
    /// </summary>
    JsonObject Policy()
    {
        var policy = new JsonObject { ["fields"] = new JsonArray([.. Fields.Select(f => JsonValue.Create(f))]) };
        var errors = new List<ProblemItem>();
        PolicyForm.AddRules(policy, Masks, Filters, DailyRowQuota, _types, errors);
        if (AccessChoice.Kinds(Access) is { } kinds) policy["access"] = new JsonArray([.. kinds.Select(k => JsonValue.Create(k))]);
        var purposes = (Purposes ?? "").Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal).ToList();
        if (purposes.Count > 0) policy["purposes"] = new JsonArray([.. purposes.Select(p => JsonValue.Create(p))]);
        if (errors.Count > 0) throw new InvalidException("invalid-policy", "The access policy is not valid.", errors);
        return policy;
    }
}
