using DataExchange.Cli.Infrastructure;

namespace DataExchange.Cli.Subscriptions;

/// <summary>DELETE /subscriptions/{id}: ends access immediately (owner) or withdraws a request (consumer).</summary>
public sealed class RevokeSubscriptionCommand : ApiCommand<SubscriptionIdSettings>
{
    protected override async Task<int> RunAsync(ApiClient api, SubscriptionIdSettings settings, CancellationToken ct)
    {
        var revoked = await api.DeleteAsync($"subscriptions/{ApiClient.Seg(settings.Id)}", ct).ConfigureAwait(false);
        if (settings.Json)
        {
            // DELETE may answer 204 without a body; keep stdout valid JSON for scripts.
            Output.Raw(string.IsNullOrWhiteSpace(revoked.Raw) ? "{}" : revoked.Raw);
            return ExitCodes.Success;
        }

        Output.Success($"Revoked subscription {settings.Id}.");
        return ExitCodes.Success;
    }
}
