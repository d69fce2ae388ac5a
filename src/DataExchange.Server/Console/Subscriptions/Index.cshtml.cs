using DataExchange.Core.Common;
using DataExchange.Core.Subscriptions;
using Microsoft.AspNetCore.Mvc;

namespace DataExchange.Server.Console.Subscriptions;

/// <summary>Requests waiting for the caller's approval, active grants (with revoke) and the agency's own requests.</summary>
public sealed class IndexModel(SubscriptionService subscriptions) : ConsolePage
{
    /// <summary>The subscription just approved, rejected or revoked (a decision's redirect names it; the page words it).</summary>
    [BindProperty(SupportsGet = true)] public string? Approved { get; set; }
    [BindProperty(SupportsGet = true)] public string? Rejected { get; set; }
    [BindProperty(SupportsGet = true)] public string? Revoked { get; set; }

    public IReadOnlyList<Subscription> Waiting { get; private set; } = [];
    public IReadOnlyList<Subscription> Granted { get; private set; } = [];
    public IReadOnlyList<Subscription> Requested { get; private set; } = [];

    /// <summary>The decision just made, as (English text with {0}, subscription id); null when none.</summary>
    public (string Text, string Id)? Done =>
        Approved is { } a ? ("Subscription {0} approved.", a) : Rejected is { } r ? ("Subscription {0} rejected.", r) : Revoked is { } v ? ("Subscription {0} revoked.", v) : null;

    /// <summary>Lists the subscriptions visible to the caller's agency (stewards and consumers).</summary>
    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Caller.Require(Role.Steward, Role.Consumer);
        var all = (await subscriptions.ListAsync(Caller, null, null, Paging.MaxLimit, null, cancellationToken)).Items;
        // A dataset id starts with its owner's agency code (the registry enforces it), so this is "datasets we own".
        bool Owned(Subscription s) => s.DatasetId.StartsWith(Caller.AgencyId + ".", StringComparison.Ordinal);
        var steward = Caller.Has(Role.Steward);
        Waiting = steward ? [.. all.Where(s => Owned(s) && s.Status == SubscriptionStatus.Pending)] : [];
        Granted = steward ? [.. all.Where(s => Owned(s) && s.Status == SubscriptionStatus.Approved)] : [];
        Requested = [.. all.Where(s => s.ConsumerAgency == Caller.AgencyId)];
    }

    /// <summary>Revokes a grant (the owner's stewards) or withdraws a request (the consumer).</summary>
    public async Task<IActionResult> OnPostRevokeAsync(string id, CancellationToken cancellationToken)
    {
        await subscriptions.RevokeAsync(Caller, id, cancellationToken);
        return Redirect($"/console/subscriptions?revoked={Uri.EscapeDataString(id)}");
    }
}
