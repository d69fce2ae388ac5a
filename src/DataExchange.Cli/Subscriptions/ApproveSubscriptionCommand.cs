using System.ComponentModel;
using System.Globalization;
using System.Text.Json.Nodes;
using DataExchange.Cli.Infrastructure;
using Spectre.Console;
using Spectre.Console.Cli;

namespace DataExchange.Cli.Subscriptions;

public sealed class ApproveSubscriptionSettings : SubscriptionIdSettings
{
    [CommandOption("--field <FIELD>")]
    [Description("Grant only this field (repeatable); becomes the policy { \"fields\": [[...]] }")]
    public string[] Fields { get; init; } = [];

    [CommandOption("--expires <ISO>")]
    [Description("When access ends, ISO 8601 (no expiry when omitted)")]
    public string? Expires { get; init; }

    [CommandOption("--policy <POLICY>")]
    [Description("Policy JSON file (row filters, masking, ...); overrides --field")]
    public string? Policy { get; init; }

    public override ValidationResult Validate()
    {
        if (Policy is not null && Fields.Length > 0)
        {
            return ValidationResult.Error("use either --policy or --field, not both");
        }

        return Expires is not null && !DateTimeOffset.TryParse(Expires, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _)
            ? ValidationResult.Error("--expires must be an ISO 8601 timestamp, e.g. 2027-01-01T00:00:00Z")
            : ValidationResult.Success();
    }
}

/// <summary>POST /subscriptions/{id}/approval: the owning steward grants access under a policy.</summary>
public sealed class ApproveSubscriptionCommand : ApiCommand<ApproveSubscriptionSettings>
{
    protected override async Task<int> RunAsync(ApiClient api, ApproveSubscriptionSettings settings, CancellationToken ct)
    {
        // An explicit (possibly empty) policy object is always sent so approval is never ambiguous about scope.
        JsonNode policy = settings.Policy is not null
            ? LocalJson.Read(settings.Policy)
            : settings.Fields.Length > 0
                ? new JsonObject { ["fields"] = new JsonArray([.. settings.Fields.Select(f => (JsonNode)f)]) }
                : new JsonObject();

        var body = new JsonObject { ["policy"] = policy };
        if (settings.Expires is not null)
        {
            body["expiresAt"] = DateTimeOffset.Parse(settings.Expires, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal)
                .ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        }

        var approved = await api.PostJsonAsync($"subscriptions/{ApiClient.Seg(settings.Id)}/approval", body, ct).ConfigureAwait(false);
        return SubscriptionView.Print(approved, settings.Json, $"Approved subscription {settings.Id}.");
    }
}
