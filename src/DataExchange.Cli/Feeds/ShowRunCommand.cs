using DataExchange.Cli.Infrastructure;

namespace DataExchange.Cli.Feeds;

/// <summary>GET /datasets/{id}/runs/{runId}.</summary>
public sealed class ShowRunCommand : ApiCommand<RunSettings>
{
    protected override async Task<int> RunAsync(ApiClient api, RunSettings settings, CancellationToken ct)
    {
        var run = await api.GetAsync($"datasets/{ApiClient.Seg(settings.Dataset)}/runs/{ApiClient.Seg(settings.RunId)}", ct).ConfigureAwait(false);
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
