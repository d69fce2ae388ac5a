using System.ComponentModel;
using System.Text.Json.Nodes;
using DataExchange.Cli.Infrastructure;
using Spectre.Console;
using Spectre.Console.Cli;

namespace DataExchange.Cli.Agencies;

public sealed class CreateAgencySettings : JsonSettings
{
    [CommandArgument(0, "<CODE>")]
    [Description("Short agency code used in dataset ids and URLs, e.g. health")]
    public string Code { get; init; } = "";

    [CommandOption("--name <NAME>")]
    [Description("Human-readable agency name")]
    public string Name { get; init; } = "";

    public override ValidationResult Validate() => string.IsNullOrWhiteSpace(Name)
        ? ValidationResult.Error("--name is required")
        : ValidationResult.Success();
}

/// <summary>POST /agencies (admin).</summary>
public sealed class CreateAgencyCommand : ApiCommand<CreateAgencySettings>
{
    protected override async Task<int> RunAsync(ApiClient api, CreateAgencySettings settings, CancellationToken ct)
    {
        var body = new JsonObject { ["code"] = settings.Code, ["name"] = settings.Name };
        var created = await api.PostJsonAsync("agencies", body, ct).ConfigureAwait(false);
        if (settings.Json)
        {
            Output.Raw(created.Raw);
            return ExitCodes.Success;
        }

        Output.Success($"Created agency {Output.Format(created.Json?["code"])}.");
        Output.Properties(created.Json);
        return ExitCodes.Success;
    }
}
