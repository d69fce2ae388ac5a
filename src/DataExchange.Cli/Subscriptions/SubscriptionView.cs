using DataExchange.Cli.Infrastructure;

namespace DataExchange.Cli.Subscriptions;

/// <summary>Shared output for commands that return one subscription.</summary>
public static class SubscriptionView
{
    public static int Print(ApiResponse subscription, bool json, string message)
    {
        if (json)
        {
            Output.Raw(subscription.Raw);
            return ExitCodes.Success;
        }

        Output.Success(message);
        Output.Properties(subscription.Json);
        return ExitCodes.Success;
    }

    public static void Table(IReadOnlyList<System.Text.Json.Nodes.JsonNode?> items) =>
        Output.Table(items,
            ("Id", "id"), ("Dataset", "datasetId"), ("Consumer", "consumerAgency"), ("Status", "status"), ("Purpose", "purpose"),
            ("Fields", "fields"), ("Expires", "expiresAt"), ("Created", "createdAt"), ("Decided", "decidedAt"));
}
