using System.ComponentModel;
using System.Globalization;
using System.Text.Json.Nodes;
using DataExchange.Cli.Infrastructure;
using Spectre.Console;
using Spectre.Console.Cli;

namespace DataExchange.Cli.Agencies;

public sealed class IssueKeySettings : JsonSettings
{
    [CommandArgument(0, "<AGENCY>")]
    [Description("Agency code or id the key belongs to")]
    public string Agency { get; init; } = "";

    [CommandOption("--name <NAME>")]
    [Description("What the key is for, e.g. 'nightly feed job'")]
    public string Name { get; init; } = "";

    [CommandOption("--role <ROLE>")]
    [Description("Role granted to the key (repeatable): admin, steward, consumer, auditor")]
    public string[] Roles { get; init; } = [];

    [CommandOption("--expires <ISO>")]
    [Description("Expiry as ISO 8601, e.g. 2027-01-01T00:00:00Z (no expiry when omitted)")]
    public string? Expires { get; init; }

    public override ValidationResult Validate()
    {
        if (string.IsNullOrWhiteSpace(Name))
        {
            return ValidationResult.Error("--name is required");
        }

        if (Roles.Length == 0)
        {
            return ValidationResult.Error("at least one --role is required");
        }

        return Expires is not null && !DateTimeOffset.TryParse(Expires, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _)
            ? ValidationResult.Error("--expires must be an ISO 8601 timestamp, e.g. 2027-01-01T00:00:00Z")
            : ValidationResult.Success();
    }
}

/// <summary>
/// POST /agencies/{agency}/keys. The server only ever returns the secret in this response, so it
/// is printed on its own, prominently, with a warning.
/// </summary>
public sealed class IssueKeyCommand : ApiCommand<IssueKeySettings>
{
    protected override async Task<int> RunAsync(ApiClient api, IssueKeySettings settings, CancellationToken ct)
    {
        var body = new JsonObject
        {
            ["name"] = settings.Name,
            ["roles"] = new JsonArray([.. settings.Roles.Select(r => (JsonNode)r)]),
        };
        if (settings.Expires is not null)
        {
            body["expiresAt"] = DateTimeOffset.Parse(settings.Expires, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal)
                .ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        }

        var issued = await api.PostJsonAsync($"agencies/{ApiClient.Seg(settings.Agency)}/keys", body, ct).ConfigureAwait(false);
        if (settings.Json)
        {
            Output.Raw(issued.Raw);
            return ExitCodes.Success;
        }

        var details = issued.Json?.DeepClone() as JsonObject;
        details?.Remove("key");
        Output.Properties(details);

        Output.Out.WriteLine();
        Output.Out.Write(new Panel(new Text(Output.Format(issued.Json?["key"]), new Style(Color.Green, decoration: Decoration.Bold)))
            .Header("API key")
            .BorderColor(Color.Yellow));
        Output.Warn("Copy this key now: it will not be shown again. Store it like a password.");
        return ExitCodes.Success;
    }
}
