using System.Net.Http.Headers;
using DataExchange.Core.Common;

namespace DataExchange.Core.Feeds;

/// <summary>Checks a feed credential (no message ever quotes its secret) and puts an opened one on a request.</summary>
public static class FeedCredentials
{
    const int MaxSecret = 4096;
    static readonly string[] Kinds = [FeedCredential.Bearer, FeedCredential.Basic, FeedCredential.Header, FeedCredential.None];

    // Headers the fetch itself owns or that would change how the request travels.
    static readonly HashSet<string> ReservedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "host", "content-length", "content-type", "transfer-encoding", "connection", "keep-alive", "te", "trailer", "upgrade", "expect",
        "proxy-authorization", "proxy-connection", "if-none-match", "if-modified-since", "accept-encoding", "range",
    };

    /// <summary>The lower-case host of an http(s) source, or null for any other source.</summary>
    public static string? HostOf(string? source) =>
        Uri.TryCreate(source, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? uri.IdnHost.ToLowerInvariant() : null;

    /// <summary>What is wrong with <paramref name="credential"/> for a feed reading <paramref name="source"/>.</summary>
    public static IEnumerable<ProblemItem> Problems(FeedCredential credential, string source, string pointer)
    {
        if (!Kinds.Contains(credential.Kind))
        {
            yield return new(pointer + "/kind", "enum", "Use bearer, basic, header, or none to clear the credential.");
            yield break;
        }
        if (credential.Kind == FeedCredential.None) yield break;
        if (HostOf(source) is null) yield return new(pointer, "credential-needs-http", "A credential is sent to http(s) sources only.");
        if (credential.Kind == FeedCredential.Basic && credential.Secret is not null
            && (string.IsNullOrEmpty(credential.Username) || credential.Username.Contains(':', StringComparison.Ordinal) || credential.Username.Any(char.IsControl)))
            yield return new(pointer + "/username", "invalid", "Basic credentials need a user name without ':' or control characters.");
        if (credential.Kind != FeedCredential.Basic && credential.Username is not null)
            yield return new(pointer + "/username", "invalid", "A user name belongs to basic credentials only.");
        if (credential.Kind == FeedCredential.Header && !IsHeaderName(credential.HeaderName))
            yield return new(pointer + "/headerName", "invalid", "Name the header (letters, digits and !#$%&'*+-.^_`|~), not one the fetch owns such as Host or If-None-Match.");
        if (credential.Kind != FeedCredential.Header && credential.HeaderName is not null)
            yield return new(pointer + "/headerName", "invalid", "A header name belongs to header credentials only.");
        if (credential.Secret is { } secret)
        {
            // Header values travel as ASCII; a basic password is UTF-8 inside base64.
            var allowed = credential.Kind == FeedCredential.Basic ? !secret.Any(char.IsControl) : secret.All(c => c is >= ' ' and <= '~');
            if (secret.Length is 0 or > MaxSecret || !allowed)
                yield return new(pointer + "/secret", "invalid", $"The secret must be 1–{MaxSecret} characters without control characters (printable ASCII for bearer and header credentials).");
        }
    }

    /// <summary>Puts <paramref name="credential"/> on <paramref name="request"/>.</summary>
    public static void Apply(HttpRequestMessage request, OpenedCredential credential)
    {
        switch (credential.Kind)
        {
            case FeedCredential.Bearer:
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", credential.Value);
                break;
            case FeedCredential.Basic:
                request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(credential.Value)));
                break;
            default:
                request.Headers.TryAddWithoutValidation(credential.HeaderName!, credential.Value);
                break;
        }
    }

    static bool IsHeaderName(string? name) =>
        name is { Length: > 0 and <= 100 } && !ReservedHeaders.Contains(name) && name.All(c => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal));
}
