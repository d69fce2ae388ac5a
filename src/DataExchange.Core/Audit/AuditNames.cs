using System.Collections.Frozen;
using System.Text.Json;

namespace DataExchange.Core.Audit;

/// <summary>Stored names of actions and outcomes: kebab-case of the enum member.</summary>
public static class AuditNames
{
    static readonly FrozenDictionary<AuditAction, string> ActionNames =
        Enum.GetValues<AuditAction>().ToFrozenDictionary(a => a, a => JsonNamingPolicy.KebabCaseLower.ConvertName(a.ToString()));

    /// <summary>e.g. <c>dataset-registered</c>.</summary>
    public static string Of(AuditAction action) => ActionNames[action];

    /// <summary>e.g. <c>denied</c>.</summary>
    public static string Of(AuditOutcome outcome) => outcome.ToString().ToLowerInvariant();
}
