using System.ComponentModel;
using DataExchange.Cli.Infrastructure;
using Spectre.Console.Cli;

namespace DataExchange.Cli.Agencies;

public sealed class RevokeKeySettings : CommandSettings
{
    [CommandArgument(0, "<AGENCY>")]
    [Description("Agency code or id")]
    public string Agency { get; init; } = "";

    [CommandArgument(1, "<KEYID>")]
    [Description("Key id (see dx keys list AGENCY)")]
    public string KeyId { get; init; } = "";
}

/// <summary>DELETE /agencies/{agency}/keys/{keyId}.</summary>
public sealed class RevokeKeyCommand : ApiCommand<RevokeKeySettings>
{
    protected override async Task<int> RunAsync(ApiClient api, RevokeKeySettings settings, CancellationToken ct)
    {
        await api.DeleteAsync($"agencies/{ApiClient.Seg(settings.Agency)}/keys/{ApiClient.Seg(settings.KeyId)}", ct).ConfigureAwait(false);
        Output.Success($"Revoked key {settings.KeyId}.");
        return ExitCodes.Success;
    }
}
