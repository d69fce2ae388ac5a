using DataExchange.Cli.Infrastructure;

namespace DataExchange.Cli.Feeds;

/// <summary>GET /datasets/{id}/runs: run history, newest first as the server orders it.</summary>
public sealed class ListRunsCommand : ApiCommand<DatasetListSettings>
{
    protected override Task<int> RunAsync(ApiClient api, DatasetListSettings settings, CancellationToken ct) =>
        Paging.ListAsync(api, settings, () => new Query($"datasets/{ApiClient.Seg(settings.Dataset)}/runs"),
            items => Output.Table(items,
                ("Id", "id"), ("Status", "status"), ("Trigger", "trigger"), ("Started", "startedAt"), ("Finished", "finishedAt"),
                ("Read", "counts.read"), ("Rejected", "counts.rejected"), ("Ins", "counts.inserted"), ("Upd", "counts.updated"),
                ("Del", "counts.deleted"), ("Kept", "counts.kept"), ("Version", "publishedVersion")),
            ct);
}
