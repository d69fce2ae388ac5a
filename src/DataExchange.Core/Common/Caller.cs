namespace DataExchange.Core.Common;

/// <summary>The authenticated API client on whose behalf a capability acts.</summary>
public sealed record Caller(string ClientId, string AgencyId, IReadOnlySet<string> Roles)
{
    /// <summary>The exchange's own operator agency, whose admins and auditors see every agency.</summary>
    public const string OperatorAgency = "exchange";

    /// <summary>The system itself (scheduled jobs).</summary>
    public static Caller System { get; } = new("system", OperatorAgency, new HashSet<string>(StringComparer.Ordinal) { Role.Admin });

    /// <summary>A request without a key, where the public catalogue and open data allow one (issue 17); no roles, no agency of its own.</summary>
    public static Caller Anonymous { get; } = new("anonymous", "anonymous", new HashSet<string>(StringComparer.Ordinal));

    /// <summary>Whether this is <see cref="Anonymous"/>.</summary>
    public bool IsAnonymous => ReferenceEquals(this, Anonymous);

    /// <summary>Whether the caller holds <paramref name="role"/>.</summary>
    public bool Has(string role) => Roles.Contains(role);

    /// <summary>Throws 403 unless the caller holds one of <paramref name="roles"/>.</summary>
    public void Require(params string[] roles)
    {
        if (!roles.Any(Roles.Contains))
            throw new ForbiddenException("role-required", $"This needs the role {string.Join(" or ", roles)}.");
    }

    /// <summary>Whether the caller acts for the exchange operator (sees every agency).</summary>
    public bool IsOperator => AgencyId == OperatorAgency;
}

/// <summary>The four roles an API key can carry.</summary>
public static class Role
{
    public const string Admin = "admin";
    public const string Steward = "steward";
    public const string Consumer = "consumer";
    public const string Auditor = "auditor";

    /// <summary>All roles, for validation.</summary>
    public static IReadOnlySet<string> All { get; } = new HashSet<string>(StringComparer.Ordinal) { Admin, Steward, Consumer, Auditor };
}
