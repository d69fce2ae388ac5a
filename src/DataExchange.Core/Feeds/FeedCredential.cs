namespace DataExchange.Core.Feeds;

/// <summary>
/// How a feed authenticates to its HTTP source (issue 13, item 11). Stewards send it with the feed;
/// the exchange answers only its <see cref="Kind"/>. Absent from a feed update, the stored credential
/// is kept; <c>{"kind": "none"}</c> clears it.
/// </summary>
public sealed record FeedCredential
{
    public const string Bearer = "bearer", Basic = "basic", Header = "header", None = "none";

    /// <summary>bearer (<c>Authorization: Bearer</c>), basic (<c>Authorization: Basic</c>), header (a header of your naming), or none to clear.</summary>
    public string? Kind { get; init; }
    /// <summary>basic: the user name (sealed with the password, never shown).</summary>
    public string? Username { get; init; }
    /// <summary>header: the header's name, e.g. <c>X-Api-Key</c>.</summary>
    public string? HeaderName { get; init; }
    /// <summary>The token, password or header value. Write-only: sealed at rest, never returned; absent keeps the stored one.</summary>
    public string? Secret { get; init; }
}
