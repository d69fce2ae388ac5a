using DataExchange.Cli.Infrastructure;

namespace DataExchange.Cli.Session;

/// <summary>Shows who the current key belongs to: the quickest way to debug a 403.</summary>
public sealed class MeCommand : ApiCommand<JsonSettings>
{
    protected override async Task<int> RunAsync(ApiClient api, JsonSettings settings, CancellationToken ct)
    {
        var me = await api.GetAsync("me", ct).ConfigureAwait(false);
        if (settings.Json)
        {
            Output.Raw(me.Raw);
        }
        else
        {
            Output.Properties(me.Json);
        }

        return ExitCodes.Success;
    }
}
