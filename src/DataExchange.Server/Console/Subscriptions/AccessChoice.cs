using System.Text.Json.Nodes;
using DataExchange.Core.Subscriptions;

namespace DataExchange.Server.Console.Subscriptions;

/// <summary>The console's names for a policy's <c>access</c> (issue 16): what the approval form offers and the tables show.</summary>
public static class AccessChoice
{
    /// <summary>Bulk pulls and lookups (a policy without <c>access</c>).</summary>
    public const string Both = "both";

    /// <summary>Lookups only: one record by key or a batch of keys, no bulk pull.</summary>
    public const string LookupOnly = "lookup";

    /// <summary>Bulk pulls only.</summary>
    public const string PullOnly = "pull";

    /// <summary>The form's choices with their labels, in order.</summary>
    public static IReadOnlyList<(string Value, string Label)> Choices { get; } =
        [(Both, "Pulls and lookups"), (LookupOnly, "Lookups only (one record by key; no bulk pull)"), (PullOnly, "Pulls only (no lookups)")];

    /// <summary>The <c>access</c> array of a choice, or null for <see cref="Both"/> (the policy's default).</summary>
    public static IReadOnlyList<string>? Kinds(string? choice) => choice switch
    {
        LookupOnly => [AccessKind.Lookup],
        PullOnly => [AccessKind.Pull],
        _ => null,
    };

    /// <summary>How a stored policy lets the consumer read, in words ("pull + lookup", "lookup only", "pull only"); null without a policy.</summary>
    public static string? Describe(JsonObject? policy)
    {
        if (policy is null) return null;
        var access = AccessPolicy.FromStored(policy).Access;
        return access.Count > 1 ? "pull + lookup" : access.Contains(AccessKind.Lookup) ? "lookup only" : "pull only";
    }

    /// <summary>The purposes a stored policy approves lookups for (the request's own purpose when it names none); none without a policy or lookups.</summary>
    public static IReadOnlyList<string> Purposes(JsonObject? policy, string requested)
    {
        if (policy is null) return [];
        var parsed = AccessPolicy.FromStored(policy);
        return parsed.Access.Contains(AccessKind.Lookup) ? parsed.Purposes ?? [requested] : [];
    }
}
