using DataExchange.Cli.Infrastructure;

namespace DataExchange.Cli.Feeds;

/// <summary>POST /datasets/{id}/runs/{runId}/{decision}: a steward's decision on a held run (issue 12).</summary>
public abstract class HeldRunCommand(string decision) : ApiCommand<RunSettings>
{
    protected override async Task<int> RunAsync(ApiClient api, RunSettings settings, CancellationToken ct)
    {
        var run = await api.PostJsonAsync($"datasets/{ApiClient.Seg(settings.Dataset)}/runs/{ApiClient.Seg(settings.RunId)}/{decision}", new System.Text.Json.Nodes.JsonObject(), ct).ConfigureAwait(false);
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

/// <summary><c>dx runs release</c>: publishes exactly what the held run staged.</summary>
public sealed class ReleaseRunCommand() : HeldRunCommand("release");

/// <summary><c>dx runs discard</c>: ends the held run without publishing.</summary>
public sealed class DiscardRunCommand() : HeldRunCommand("discard");
