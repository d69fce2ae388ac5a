using System.ComponentModel;
using DataExchange.Cli.Infrastructure;
using Spectre.Console.Cli;

namespace DataExchange.Cli.Agencies;

public sealed class ListKeysSettings : ListSettings
{
    [CommandArgument(0, "<AGENCY>")]
    [Description("Agency code or id")]
    public string Agency { get; init; } = "";
}

/// <summary>GET /agencies/{agency}/keys (secrets are never listed, only metadata).</summary>
public sealed class ListKeysCommand : ApiCommand<ListKeysSettings>
{
    protected override Task<int> RunAsync(ApiClient api, ListKeysSettings settings, CancellationToken ct) =>
        Paging.ListAsync(api, settings, () => new Query($"agencies/{ApiClient.Seg(settings.Agency)}/keys"),
            items => Output.Table(items, ("Id", "id"), ("Name", "name"), ("Roles", "roles"), ("Expires", "expiresAt"), ("Created", "createdAt")),
            ct);
}
