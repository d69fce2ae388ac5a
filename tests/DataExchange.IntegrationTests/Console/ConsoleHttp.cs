using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace DataExchange.IntegrationTests.Console;

/// <summary>
/// The web console over plain HTTP, as a browser would use it: a cookie jar of its own (carried to
/// whichever node a request goes to, as behind a load balancer), anti-forgery tokens read from the
/// forms it is served, and optionally a source address of its own on the loopback network.
/// </summary>
public sealed partial class ConsoleHttp : IDisposable
{
    readonly HttpClient _http;

    /// <summary>A client connecting from <paramref name="source"/> (e.g. 127.0.0.2), or from the default address.</summary>
    public ConsoleHttp(IPAddress? source = null)
    {
        var handler = new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false };
        if (source is not null)
            handler.ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(source.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(source, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            };
        _http = new HttpClient(handler);
    }

    /// <summary>The Accept-Language header of every request (none when null).</summary>
    public string? AcceptLanguage { get; set; }

    /// <summary>Cookies by name, as the server set them.</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<string, string> Cookies { get; } = new(StringComparer.Ordinal);

    /// <summary>GET with the jar's cookies; the response and its body.</summary>
    public async Task<(HttpResponseMessage Response, string Body)> GetAsync(Uri url)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        var response = await SendAsync(request);
        return (response, await response.Content.ReadAsStringAsync());
    }

    /// <summary>The anti-forgery token of the first form on the page at <paramref name="url"/>.</summary>
    public async Task<string> TokenAsync(Uri url)
    {
        var (response, body) = await GetAsync(url);
        if (response.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException($"GET {url}: {(int)response.StatusCode}");
        return TokenPattern().Match(body) is { Success: true } m ? m.Groups[1].Value : throw new InvalidOperationException($"No anti-forgery token on {url}.");
    }

    /// <summary>POSTs a form (with the jar's cookies).</summary>
    public async Task<HttpResponseMessage> PostFormAsync(Uri url, IDictionary<string, string> fields)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new FormUrlEncodedContent(fields) };
        return await SendAsync(request);
    }

    /// <summary>Posts <paramref name="key"/> to the sign-in form of <paramref name="node"/>, with a token from that form.</summary>
    public async Task<HttpResponseMessage> SignInAsync(Uri node, string key, string? token = null)
    {
        token ??= await TokenAsync(new Uri(node, "/console/signin"));
        return await PostFormAsync(new Uri(node, "/console/signin"), new Dictionary<string, string> { ["key"] = key, ["__RequestVerificationToken"] = token });
    }

    async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request)
    {
        if (Cookies.Count > 0) request.Headers.Add("Cookie", string.Join("; ", Cookies.Select(c => $"{c.Key}={c.Value}")));
        if (AcceptLanguage is not null) request.Headers.Add("Accept-Language", AcceptLanguage);
        var response = await _http.SendAsync(request);
        if (response.Headers.TryGetValues("Set-Cookie", out var setCookies))
            foreach (var setCookie in setCookies)
            {
                var pair = setCookie.Split(';', 2)[0].Split('=', 2);
                if (pair[1].Length == 0) Cookies.TryRemove(pair[0], out _);
                else Cookies[pair[0]] = pair[1];
            }
        return response;
    }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();
}
