using System.ComponentModel;
using System.Text.Json.Nodes;
using DataExchange.Cli.Infrastructure;
using Spectre.Console;
using Spectre.Console.Cli;

namespace DataExchange.Cli.Subscriptions;

public sealed class RequestSubscriptionSettings : DatasetSettings
{
    [CommandOption("--purpose <TEXT>")]
    [Description("Why your agency needs the data (shown to the owning steward and kept in the audit log)")]
    public string Purpose { get; init; } = "";

    [CommandOption("--field <FIELD>")]
    [Description("Limit the request to this field (repeatable); all fields when omitted")]
    public string[] Fields { get; init; } = [];

    public override ValidationResult Validate() => string.IsNullOrWhiteSpace(Purpose)
        ? ValidationResult.Error("--purpose is required")
        : ValidationResult.Success();
}

/// <summary>POST /subscriptions: a consumer asks the owning agency for access.</summary>
public sealed class RequestSubscriptionCommand : ApiCommand<RequestSubscriptionSettings>
{
    protected override async Task<int> RunAsync(ApiClient api, RequestSubscriptionSettings settings, CancellationToken ct)
    {
        var body = new JsonObject { ["datasetId"] = settings.Dataset, ["purpose"] = settings.Purpose };
        if (settings.Fields.Length > 0)
        {
            body["fields"] = new JsonArray([.. settings.Fields.Select(f => (JsonNode)f)]);
        }

        var created = await api.PostJsonAsync("subscriptions", body, ct).ConfigureAwait(false);
        return SubscriptionView.Print(created, settings.Json,
            $"Requested access to {settings.Dataset}; status {Output.Format(created.Json?["status"])}. The owning steward must approve it.");
    }
}
