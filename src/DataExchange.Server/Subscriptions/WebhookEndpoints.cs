using DataExchange.Core.Subscriptions.Notifications;
using DataExchange.Server.Agencies;
using DataExchange.Server.Hosting;

namespace DataExchange.Server.Subscriptions;

/// <summary>Webhook notifications of published versions, per subscription.</summary>
public static class WebhookEndpoints
{
    /// <summary>Maps /api/v1/subscriptions/{id}/webhook and …/deliveries.</summary>
    public static RouteGroupBuilder MapWebhooks(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/subscriptions/{subscriptionId}").WithTags("Subscriptions");
        group.MapPut("/webhook", async (string subscriptionId, WebhookRequest body, HttpContext http, WebhookService service, CancellationToken ct) =>
            TypedResults.Ok(await service.RegisterAsync(http.Caller(), subscriptionId, body, ct)))
            .WithName("putWebhook")
            .CarriesSecret()
            .WithSummary("Register the URL notified of each published version (allow-listed hosts only). The answer carries the signing secret, once.")
            .WithDescription("Each notification is a POST of `{datasetId, version, publishedAt, counts}` with headers `X-DataExchange-Timestamp` (Unix seconds), "
                + "`X-DataExchange-Delivery` and `X-DataExchange-Signature: v1=<hex HMAC-SHA256(secret, timestamp + \".\" + body)>`. Non-2xx answers and network errors are retried "
                + "with backoff (by default 8 retries over ~7 h: after 10 s, then ×3 each time, at most 4 h apart); every attempt is listed under deliveries.");

        group.MapGet("/deliveries", async (string subscriptionId, int? limit, string? after, HttpContext http, WebhookService service, CancellationToken ct) =>
            TypedResults.Ok((await service.ListDeliveriesAsync(http.Caller(), subscriptionId, limit, after, ct)).ToBody(http)))
            .WithName("getDeliveries")
            .WithSummary("The subscription's webhook deliveries, newest first: state (pending, delivered, failed, cancelled) and every attempt with its HTTP status or error.");
        return api;
    }
}
