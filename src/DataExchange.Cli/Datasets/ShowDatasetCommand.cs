using DataExchange.Cli.Infrastructure;

namespace DataExchange.Cli.Datasets;

/// <summary>GET /datasets/{id}.</summary>
public sealed class ShowDatasetCommand : ApiCommand<DatasetSettings>
{
    protected override async Task<int> RunAsync(ApiClient api, DatasetSettings settings, CancellationToken ct)
    {
        var dataset = await api.GetAsync($"datasets/{ApiClient.Seg(settings.Dataset)}", ct).ConfigureAwait(false);
        if (settings.Json)
        {
            Output.Raw(dataset.Raw);
        }
        else
        {
            DatasetView.Show(dataset.Json);
        }

        return ExitCodes.Success;
    }
}
