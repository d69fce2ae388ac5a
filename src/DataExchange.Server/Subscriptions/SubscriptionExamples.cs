using System.Text.Json.Nodes;
using DataExchange.Core.Subscriptions;
using DataExchange.Core.Subscriptions.Notifications;
using DataExchange.Server.Hosting;
using static DataExchange.Server.Hosting.ExampleStory;

namespace DataExchange.Server.Subscriptions;

/// <summary>The OpenAPI examples of subscriptions, access explanations, auto-approval and webhooks (<see cref="ApiExamples"/>).</summary>
public static class SubscriptionExamples
{
    static readonly Subscription Subscription = new(SubscriptionId, DatasetId, "gz-hrss", "Verify employers when registering social insurance", null,
        SubscriptionStatus.Approved, Policy(), At.AddYears(1), "gz-hrss", At.AddDays(-1), At, "gd-amr", null);

    /// <summary>By type.</summary>
    public static readonly ExampleSet Set = new()
    {
        Types =
        {
            [typeof(SubscriptionRequest)] = new SubscriptionRequest(DatasetId, "Verify employers when registering social insurance", ["uscc", "name", "legalRep", "status"]),
            [typeof(ApprovalRequest)] = new ApprovalRequest(Policy(), At.AddYears(1)),
            [typeof(RejectionRequest)] = new RejectionRequest("The purpose does not need the legal representative; request uscc, name and status only."),
            [typeof(Subscription)] = Subscription,
            [typeof(AccessExplanation)] = new AccessExplanation(true, "allowed", "Subscription sub_7q2mfk4xw9c3h8rt5bnz is approved until 2027-03-02.", SubscriptionId, At.AddYears(1),
                AccessPolicy.FromStored(JsonNode.Parse(Policy().ToJsonString())!.AsObject()).Summary()),
            [typeof(AutoApprovalRequest)] = new AutoApprovalRequest(new JsonObject { ["fields"] = new JsonArray("uscc", "name", "status"), ["dailyRowQuota"] = 50000 }),
            [typeof(AutoApproval)] = new AutoApproval(DatasetId, new JsonObject { ["fields"] = new JsonArray("uscc", "name", "status"), ["dailyRowQuota"] = 50000 }, "3b1f0c9a7e5d2f48", "cli_9dk2m4x8q1w7", At),
            [typeof(WebhookRequest)] = new WebhookRequest("https://hooks.gz-hrss.gov.cn/dataexchange"),
            [typeof(Webhook)] = new Webhook(SubscriptionId, "https://hooks.gz-hrss.gov.cn/dataexchange", "whsec_0f3a9c…shown-once", At),
            [typeof(WebhookDelivery)] = new WebhookDelivery(7, DatasetId, 3, "delivered", 2, 204, null, At, At.AddSeconds(11),
                [new(1, At, 503, "Service Unavailable"), new(2, At.AddSeconds(10), 204, null)]),
        },
    };
}
