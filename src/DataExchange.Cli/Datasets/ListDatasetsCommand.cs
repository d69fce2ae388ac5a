using System.ComponentModel;
using DataExchange.Cli.Infrastructure;
using Spectre.Console.Cli;

namespace DataExchange.Cli.Datasets;

public sealed class ListDatasetsSettings : ListSettings
{
    // Spectre rejects one-letter long names, so the documented "--q" is rewritten to "--query" in Program.cs.
    [CommandOption("-q|--query <TEXT>")]
    [Description("Free-text search in id, title and description (--q also accepted)")]
    public string? Q { get; init; }

    [CommandOption("--owner <AGENCY>")]
    [Description("Only datasets owned by this agency")]
    public string? Owner { get; init; }

    [CommandOption("--tag <TAG>")]
    [Description("Only datasets with this tag")]
    public string? Tag { get; init; }

    [CommandOption("--classification <C>")]
    [Description("Only datasets with this classification")]
    public string? Classification { get; init; }
}

/// <summary>GET /datasets: the catalogue.</summary>
public sealed class ListDatasetsCommand : ApiCommand<ListDatasetsSettings>
{
    protected override Task<int> RunAsync(ApiClient api, ListDatasetsSettings settings, CancellationToken ct) =>
        Paging.ListAsync(api, settings,
            () => new Query("datasets")
                .Add("q", settings.Q)
                .Add("owner", settings.Owner)
                .Add("tag", settings.Tag)
                .Add("classification", settings.Classification),
            items => Output.Table(items,
                ("Id", "id"), ("Owner", "owner"), ("Title", "title"), ("Class.", "classification"), ("Tags", "tags"),
                ("Version", "latestVersion"), ("Schema", "schemaVersion"), ("Rows", "rowCount"), ("Published", "publishedAt")),
            ct);
}
