using DataExchange.Cli.Infrastructure;

namespace DataExchange.Cli.Feeds;

/// <summary>GET /datasets/{id}/versions: published versions, each pinned by dx pull --version.</summary>
public sealed class ListVersionsCommand : ApiCommand<DatasetListSettings>
{
    protected override Task<int> RunAsync(ApiClient api, DatasetListSettings settings, CancellationToken ct) =>
        Paging.ListAsync(api, settings, () => new Query($"datasets/{ApiClient.Seg(settings.Dataset)}/versions"),
            items => Output.Table(items,
                ("Version", "version"), ("Published", "publishedAt"), ("Schema", "schemaVersion"), ("Run", "runId"),
                ("Inserted", "counts.inserted"), ("Updated", "counts.updated"), ("Deleted", "counts.deleted"), ("Total", "counts.total")),
            ct);
}
