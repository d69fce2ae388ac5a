namespace DataExchange.Core.Feeds;

/// <summary>
/// Feed URLs never carry secrets (issue 13, item 11): a URL with userinfo or a token-like query
/// parameter is refused (<c>secret-in-url</c>) — its secret belongs in the feed's credential, which is
/// sealed at rest and never shown. URLs written to the audit log are redacted all the same.
/// </summary>
public static class FeedUrls
{
    /// <summary>The problem code of a URL that carries a secret.</summary>
    public const string SecretInUrl = "secret-in-url";

    // Compared with '-', '_' and '.' removed, case-insensitively: api_key, api-key and ApiKey are one name.
    static readonly string[] ExactNames = ["key", "sig", "auth", "pass", "pwd", "passwd", "jwt"];
    static readonly string[] NameParts = ["token", "secret", "password", "apikey", "accesskey", "signature", "credential", "privatekey", "sessionkey", "subscriptionkey", "authorization"];

    /// <summary>What in <paramref name="uri"/> looks like a secret (userinfo, or the name of a token-like parameter), or null.</summary>
    public static string? SecretPart(Uri uri)
    {
        if (uri.UserInfo.Length > 0) return "user information (user:password@)";
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var name = Uri.UnescapeDataString(pair.Split('=')[0].Replace('+', ' '));
            var bare = new string([.. name.Where(c => c is not ('-' or '_' or '.' or ' ')).Select(char.ToLowerInvariant)]);
            if (ExactNames.Contains(bare) || NameParts.Any(p => bare.Contains(p, StringComparison.Ordinal))) return $"the query parameter '{name}'";
        }
        return null;
    }

    /// <summary><paramref name="source"/> as logs and the audit trail may show it: http(s) URLs without userinfo and with every query value replaced by '…'.</summary>
    public static string? Redact(string? source)
    {
        if (source is null || !Uri.TryCreate(source, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")) return source;
        var query = string.Join('&', uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=')[0] + "=…"));
        return $"{uri.Scheme}://{uri.Authority}{uri.AbsolutePath}{(query.Length > 0 ? "?" + query : "")}";
    }
}
