using System.ComponentModel;
using DataExchange.Cli.Infrastructure;
using Spectre.Console.Cli;

namespace DataExchange.Cli.Subscriptions;

public sealed class ListSubscriptionsSettings : ListSettings
{
    [CommandOption("--status <STATUS>")]
    [Description("pending, approved, rejected, revoked or expired")]
    public string? Status { get; init; }

    [CommandOption("--dataset <DATASET>")]
    [Description("Only subscriptions to this dataset")]
    public string? Dataset { get; init; }
}

/// <summary>GET /subscriptions: the server scopes the list to what the caller's agency may see.</summary>
public sealed class ListSubscriptionsCommand : ApiCommand<ListSubscriptionsSettings>
{
    protected override Task<int> RunAsync(ApiClient api, ListSubscriptionsSettings settings, CancellationToken ct) =>
        Paging.ListAsync(api, settings,
            () => new Query("subscriptions").Add("status", settings.Status).Add("datasetId", settings.Dataset),
            SubscriptionView.Table, ct);
}
