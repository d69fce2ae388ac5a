using System.Text.Json.Nodes;

namespace DataExchange.Cli.Infrastructure;

/// <summary>
/// Shared list behaviour: one page by default, every page with <c>--all</c>; raw JSON with
/// <c>--json</c> (pages merged into one <c>{ "items": [...] }</c> document), else a table.
/// </summary>
public static class Paging
{
    /// <param name="path">Builds the request path with the command's filters; paging parameters are added here.</param>
    /// <param name="render">Draws the collected items as a table.</param>
    public static async Task<int> ListAsync(
        ApiClient api,
        IListOptions settings,
        Func<Query> path,
        Action<IReadOnlyList<JsonNode?>> render,
        CancellationToken ct)
    {
        var first = await api.GetAsync(path().Add("limit", settings.Limit).ToString(), ct).ConfigureAwait(false);
        var next = NextCursor(first.Json);

        if (!settings.All)
        {
            if (settings.Json)
            {
                Output.Raw(first.Raw);
            }
            else
            {
                render(Output.Items(first.Json));
                if (next is not null)
                {
                    Output.Info("More results available: use --all, or a larger --limit.");
                }
            }

            return ExitCodes.Success;
        }

        var items = Output.Items(first.Json).Select(i => i?.DeepClone()).ToList();
        while (next is not null)
        {
            var page = await api.GetAsync(path().Add("limit", settings.Limit).Add("after", next).ToString(), ct).ConfigureAwait(false);
            items.AddRange(Output.Items(page.Json).Select(i => i?.DeepClone()));
            next = NextCursor(page.Json);
        }

        if (settings.Json)
        {
            Output.Raw(new JsonObject { ["items"] = new JsonArray([.. items]) }.ToJsonString(Output.Readable));
        }
        else
        {
            render(items);
        }

        return ExitCodes.Success;
    }

    public static string? NextCursor(JsonNode? page) =>
        page?["next"] is JsonValue v && v.TryGetValue<string>(out var s) && s.Length > 0 ? s : null;
}
