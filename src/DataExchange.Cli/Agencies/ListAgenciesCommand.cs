using DataExchange.Cli.Infrastructure;

namespace DataExchange.Cli.Agencies;

/// <summary>GET /agencies.</summary>
public sealed class ListAgenciesCommand : ApiCommand<ListSettings>
{
    protected override Task<int> RunAsync(ApiClient api, ListSettings settings, CancellationToken ct) =>
        Paging.ListAsync(api, settings, () => new Query("agencies"),
            items => Output.Table(items, ("Id", "id"), ("Code", "code"), ("Name", "name"), ("Created", "createdAt")),
            ct);
}
