using System.ComponentModel;
using System.Text.Json.Nodes;
using DataExchange.Cli.Infrastructure;
using Spectre.Console;
using Spectre.Console.Cli;

namespace DataExchange.Cli.Subscriptions;

public sealed class RejectSubscriptionSettings : SubscriptionIdSettings
{
    [CommandOption("--reason <TEXT>")]
    [Description("Why the request is rejected (shown to the requesting agency)")]
    public string Reason { get; init; } = "";

    public override ValidationResult Validate() => string.IsNullOrWhiteSpace(Reason)
        ? ValidationResult.Error("--reason is required")
        : ValidationResult.Success();
}

/// <summary>POST /subscriptions/{id}/rejection.</summary>
public sealed class RejectSubscriptionCommand : ApiCommand<RejectSubscriptionSettings>
{
    protected override async Task<int> RunAsync(ApiClient api, RejectSubscriptionSettings settings, CancellationToken ct)
    {
        var rejected = await api.PostJsonAsync($"subscriptions/{ApiClient.Seg(settings.Id)}/rejection",
            new JsonObject { ["reason"] = settings.Reason }, ct).ConfigureAwait(false);
        return SubscriptionView.Print(rejected, settings.Json, $"Rejected subscription {settings.Id}.");
    }
}
