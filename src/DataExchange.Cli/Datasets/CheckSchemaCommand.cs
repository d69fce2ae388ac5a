using System.Text.Json.Nodes;
using DataExchange.Cli.Infrastructure;
using Spectre.Console;

namespace DataExchange.Cli.Datasets;

/// <summary>
/// POST /datasets/{id}/schemas/compatibility: a dry run before dx schema register, so a steward
/// sees which changes would break consumers. Exits 4 when incompatible so CI can gate on it.
/// </summary>
public sealed class CheckSchemaCommand : ApiCommand<SchemaSettings>
{
    protected override async Task<int> RunAsync(ApiClient api, SchemaSettings settings, CancellationToken ct)
    {
        var schema = LocalJson.Read(settings.Schema);
        var result = await api.PostJsonAsync($"datasets/{ApiClient.Seg(settings.Dataset)}/schemas/compatibility", schema, ct).ConfigureAwait(false);
        var compatible = result.Json?["compatible"] is JsonValue flag && flag.TryGetValue<bool>(out var ok) && ok;

        if (settings.Json)
        {
            Output.Raw(result.Raw);
        }
        else
        {
            var mode = Output.Format(result.Json?["mode"]);
            if (compatible)
            {
                Output.Success($"Compatible (mode {mode}).");
            }
            else
            {
                Output.Err.MarkupLineInterpolated($"[red]Incompatible (mode {mode}).[/]");
            }

            var issues = result.Json?["issues"] as JsonArray;
            if (issues is { Count: > 0 })
            {
                Output.Table(issues, ("Pointer", "pointer"), ("Rule", "rule"), ("Old", "old"), ("New", "new"), ("Message", "message"));
            }
        }

        return compatible ? ExitCodes.Success : ExitCodes.Refused;
    }
}
