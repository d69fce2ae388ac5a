using System.Text.Json.Nodes;

namespace DataExchange.Core.Subscriptions;

/// <summary>Subscription states.</summary>
public static class SubscriptionStatus
{
    public const string Pending = "pending";
    public const string Approved = "approved";
    public const string Rejected = "rejected";
    public const string Revoked = "revoked";
    public const string Expired = "expired";

    /// <summary>Every state, in lifecycle order.</summary>
    public static IReadOnlyList<string> All { get; } = [Pending, Approved, Rejected, Revoked, Expired];
}

/// <summary>A consumer agency's request for a dataset, and its decision.</summary>
public sealed record Subscription(
    string Id,
    string DatasetId,
    string ConsumerAgency,
    string Purpose,
    IReadOnlyList<string>? Fields,
    string Status,
    JsonObject? Policy,
    DateTimeOffset? ExpiresAt,
    string RequestedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset? DecidedAt,
    string? DecidedBy,
    string? Reason);

/// <summary>Body of a subscription request.</summary>
public sealed record SubscriptionRequest(string? DatasetId, string? Purpose, IReadOnlyList<string>? Fields);

/// <summary>Body of an approval: the access policy and an optional expiry.</summary>
public sealed record ApprovalRequest(JsonObject? Policy, DateTimeOffset? ExpiresAt);

/// <summary>Body of a rejection.</summary>
public sealed record RejectionRequest(string? Reason);

/// <summary>
/// The outcome of an access decision on a dataset's data: allowed with the policy to apply (null
/// for the owner, who reads everything), or denied with a reason code and explanation.
/// </summary>
public sealed record AccessDecision(bool Allowed, string Code, string Reason, string? SubscriptionId, AccessPolicy? Policy, DateTimeOffset? ExpiresAt = null)
{
    /// <summary>The purpose the subscription was requested (and approved) for; null for the owner and without a subscription.</summary>
    public string? Purpose { get; init; }

    /// <summary>The dataset's key fields, in key order.</summary>
    public IReadOnlyList<string> KeyFields { get; init; } = [];
}

/// <summary>Body of PUT …/auto-approval: the default policy of a public dataset.</summary>
public sealed record AutoApprovalRequest(JsonObject? Policy);

/// <summary>A public dataset's auto-approval setting.</summary>
public sealed record AutoApproval(string DatasetId, JsonObject Policy, string PolicyHash, string SetBy, DateTimeOffset SetAt);

/// <summary>An access decision explained, without data (GET …/access).</summary>
public sealed record AccessExplanation(bool Allowed, string Code, string Reason, string? SubscriptionId, DateTimeOffset? ExpiresAt, JsonObject? Policy);
