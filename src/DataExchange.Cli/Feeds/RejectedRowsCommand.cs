using System.ComponentModel;
using System.Text.Json.Nodes;
using DataExchange.Cli.Infrastructure;
using Spectre.Console;
using Spectre.Console.Cli;

namespace DataExchange.Cli.Feeds;

public sealed class RejectedRowsSettings : DatasetListSettings
{
    [CommandArgument(1, "<RUNID>")]
    [Description("Run id (see dx runs list DATASET)")]
    public string RunId { get; init; } = "";
}

/// <summary>GET /datasets/{id}/runs/{runId}/rejected: why rows failed validation, to fix them at the source.</summary>
public sealed class RejectedRowsCommand : ApiCommand<RejectedRowsSettings>
{
    protected override Task<int> RunAsync(ApiClient api, RejectedRowsSettings settings, CancellationToken ct) =>
        Paging.ListAsync(api, settings,
            () => new Query($"datasets/{ApiClient.Seg(settings.Dataset)}/runs/{ApiClient.Seg(settings.RunId)}/rejected"),
            Render, ct);

    static void Render(IReadOnlyList<JsonNode?> rows)
    {
        if (rows.Count == 0)
        {
            Output.Info("No rejected rows.");
            return;
        }

        var table = new Table().Border(TableBorder.Rounded).AddColumn("Line").AddColumn("Errors").AddColumn("Raw");
        foreach (var row in rows)
        {
            var errors = row?["errors"] is JsonArray list
                ? string.Join("\n", list.Select(e =>
                    $"{Output.Format(e?["pointer"])}: {Output.Format(e?["message"])} ({Output.Format(e?["code"])})"))
                : "";
            var raw = Output.Format(row?["raw"]);
            table.AddRow(new Text(Output.Format(row?["line"])), new Text(errors, new Style(Color.Red)), new Text(raw.Length > 120 ? raw[..120] + "…" : raw));
        }

        Output.Out.Write(table);
    }
}
