using DataExchange.Cli.Infrastructure;

namespace DataExchange.Cli.Feeds;

/// <summary>POST /datasets/{id}/runs/{runId}/discard: a steward's decision on a held run (issue 12).</summary>
public sealed class DiscardRunCommand : ApiCommand<RunSettings>
{
    protected override async Task<int> RunAsync(ApiClient api, RunSettings settings, CancellationToken ct)
    {
        var run = await api.PostJsonAsync($"datasets/{ApiClient.Seg(settings.Dataset)}/runs/{ApiClient.Seg(settings.RunId)}/discard", new System.Text.Json.Nodes.JsonObject(), ct).ConfigureAwait(false);
        if (settings.Json)
        {
            Output.Raw(run.Raw);
        }
        else
        {
            RunWatcher.ShowSummary(settings.Dataset, run.Json);
        }

        return ExitCodes.Success;
    }
}
