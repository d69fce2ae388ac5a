using DataExchange.Cli.Infrastructure;

namespace DataExchange.Cli.Feeds;

/// <summary>POST /datasets/{id}/runs: asks the server to fetch the dataset's configured feed source now.</summary>
public sealed class FeedRunCommand : ApiCommand<FeedSettings>
{
    protected override async Task<int> RunAsync(ApiClient api, FeedSettings settings, CancellationToken ct)
    {
        var accepted = await api.PostJsonAsync($"datasets/{ApiClient.Seg(settings.Dataset)}/runs", new System.Text.Json.Nodes.JsonObject(), ct).ConfigureAwait(false);
        return await RunWatcher.CompleteAsync(api, settings.Dataset, accepted, settings, ct).ConfigureAwait(false);
    }
}
