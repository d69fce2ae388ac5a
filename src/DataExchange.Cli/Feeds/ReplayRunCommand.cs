using DataExchange.Cli.Infrastructure;

namespace DataExchange.Cli.Feeds;

/// <summary>POST /datasets/{id}/runs/{runId}/replay: re-reads a run's quarantine after the schema or source was fixed.</summary>
public sealed class ReplayRunCommand : ApiCommand<ReplaySettings>
{
    protected override async Task<int> RunAsync(ApiClient api, ReplaySettings settings, CancellationToken ct)
    {
        var accepted = await api.PostJsonAsync($"datasets/{ApiClient.Seg(settings.Dataset)}/runs/{ApiClient.Seg(settings.RunId)}/replay", new System.Text.Json.Nodes.JsonObject(), ct).ConfigureAwait(false);
        return await RunWatcher.CompleteAsync(api, settings.Dataset, accepted, settings, ct).ConfigureAwait(false);
    }
}
