namespace DataExchange.Core.Agencies;

/// <summary>A government agency taking part in the exchange.</summary>
public sealed record Agency(string Id, string Code, string Name, DateTimeOffset CreatedAt);

/// <summary>An API client (key) as listed: never with its secret.</summary>
public sealed record ApiKeyInfo(string Id, string AgencyId, string Name, IReadOnlyList<string> Roles, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt);

/// <summary>A newly issued key: the only time the full key is shown.</summary>
public sealed record IssuedApiKey(string Id, string AgencyId, string Name, IReadOnlyList<string> Roles, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, string Key);

/// <summary>Request to create an agency.</summary>
public sealed record CreateAgencyRequest(string Code, string Name);

/// <summary>Request to issue a key.</summary>
public sealed record IssueKeyRequest(string Name, IReadOnlyList<string> Roles, DateTimeOffset? ExpiresAt = null);
