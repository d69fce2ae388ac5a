using System.ComponentModel;
using DataExchange.Cli.Infrastructure;
using Spectre.Console;
using Spectre.Console.Cli;

namespace DataExchange.Cli.Session;

public sealed class LoginSettings : CommandSettings
{
    [CommandOption("--server <URL>")]
    [Description("Server base URL, e.g. https://dx.example.gov (defaults to DX_SERVER)")]
    public string? Server { get; init; }

    [CommandOption("--key <KEY>")]
    [Description("API key (defaults to DX_KEY; prompted for, hidden, when omitted on a terminal)")]
    public string? Key { get; init; }
}

/// <summary>
/// Verifies the credentials against GET /me before saving them, so a typo never ends up in the
/// config file and every later command fails with a confusing 401.
/// </summary>
public sealed class LoginCommand : ApiCommand<LoginSettings>
{
    protected override ApiClient CreateClient(LoginSettings settings)
    {
        var server = settings.Server ?? Environment.GetEnvironmentVariable("DX_SERVER");
        if (string.IsNullOrWhiteSpace(server))
        {
            throw new UsageException("--server is required.", "dx login --server https://dx.example.gov --key KEY");
        }

        var key = settings.Key ?? Environment.GetEnvironmentVariable("DX_KEY");
        if (string.IsNullOrWhiteSpace(key))
        {
            // Prompting keeps the key out of shell history; scripts should use --key or DX_KEY.
            if (!Output.Err.Profile.Capabilities.Interactive)
            {
                throw new UsageException("--key is required.", "dx login --server URL --key KEY");
            }

            key = Output.Err.Prompt(new TextPrompt<string>("API key:").Secret());
        }

        return new ApiClient(new Connection(DxConfig.ParseServer(server), key.Trim()));
    }

    protected override async Task<int> RunAsync(ApiClient api, LoginSettings settings, CancellationToken ct)
    {
        var me = await api.GetAsync("me", ct).ConfigureAwait(false);
        DxConfig.Save(api.Connection);

        Output.Success($"Logged in to {api.Server} as {Output.Format(me.Json?["name"])} " +
                       $"(agency {Output.Format(me.Json?["agencyId"])}, roles: {Output.Format(me.Json?["roles"])}).");
        Output.Info($"Saved to {DxConfig.Path}");
        return ExitCodes.Success;
    }
}
