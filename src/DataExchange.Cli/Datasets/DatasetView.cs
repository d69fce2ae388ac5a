using System.Text.Json.Nodes;
using DataExchange.Cli.Infrastructure;

namespace DataExchange.Cli.Datasets;

/// <summary>Shared rendering of a dataset, used by register and show.</summary>
public static class DatasetView
{
    public static void Show(JsonNode? dataset)
    {
        // The schema can be hundreds of lines; it is available via --json, so keep the summary readable.
        if (dataset?.DeepClone() is JsonObject summary)
        {
            summary.Remove("schema");
            Output.Properties(summary);
        }
        else
        {
            Output.Properties(dataset);
        }
    }
}
