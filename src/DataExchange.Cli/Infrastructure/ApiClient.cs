using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DataExchange.Cli.Infrastructure;

/// <summary>A successful JSON response: the exact text (for <c>--json</c>) and its parsed form (for tables).</summary>
public sealed record ApiResponse(int Status, string Raw, JsonNode? Json);

/// <summary>
/// The only place that talks HTTP. Adds the bearer key, resolves paths against /api/v1/, and
/// turns non-2xx responses into <see cref="ApiException"/> so commands only handle the happy path.
/// </summary>
public sealed class ApiClient : IDisposable
{
    static readonly MediaTypeHeaderValue JsonType = new("application/json") { CharSet = "utf-8" };

    readonly HttpClient _http;

    public ApiClient(Connection connection)
    {
        Connection = connection;
        var handler = new SocketsHttpHandler
        {
            // Fail fast when nothing is listening, but never time out a long upload or download:
            // those are bounded by Ctrl+C instead.
            ConnectTimeout = TimeSpan.FromSeconds(10),
        };
        _http = new HttpClient(handler)
        {
            BaseAddress = new Uri(connection.Server.ToString().TrimEnd('/') + "/api/v1/"),
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", connection.Key);
        _http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        _http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/problem+json"));
        // Problem details in dx's language (their types and titles stay English codes).
        _http.DefaultRequestHeaders.AcceptLanguage.Add(new StringWithQualityHeaderValue(Lang.Tag));
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("dx", typeof(ApiClient).Assembly.GetName().Version?.ToString() ?? "0"));
    }

    /// <summary>The server and key in use (login saves them once verified).</summary>
    public Connection Connection { get; }

    /// <summary>The server root, used in hints ("is the server running at …?").</summary>
    public Uri Server => Connection.Server;

    public static ApiClient FromConfig() => new(DxConfig.Resolve());

    /// <summary>Escapes one path segment (ids are user input and may contain anything).</summary>
    public static string Seg(string value) => Uri.EscapeDataString(value);

    public Task<ApiResponse> GetAsync(string path, CancellationToken ct) =>
        SendAsync(HttpMethod.Get, path, content: null, ct);

    public Task<ApiResponse> PostJsonAsync(string path, JsonNode? body, CancellationToken ct) =>
        SendAsync(HttpMethod.Post, path, JsonContent(body), ct);

    public Task<ApiResponse> PutJsonAsync(string path, JsonNode? body, CancellationToken ct) =>
        SendAsync(HttpMethod.Put, path, JsonContent(body), ct);

    public Task<ApiResponse> DeleteAsync(string path, CancellationToken ct) =>
        SendAsync(HttpMethod.Delete, path, content: null, ct);

    /// <summary>Sends a request and reads the whole (JSON) response. Use for small documents only.</summary>
    public async Task<ApiResponse> SendAsync(HttpMethod method, string path, HttpContent? content, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        await EnsureSuccessAsync(response, ct).ConfigureAwait(false);
        var raw = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        JsonNode? json = null;
        if (!string.IsNullOrWhiteSpace(raw))
        {
            try
            {
                json = JsonNode.Parse(raw);
            }
            catch (JsonException)
            {
                // Leave it unparsed: --json still shows it, and table renderers cope with null.
            }
        }

        return new ApiResponse((int)response.StatusCode, raw, json);
    }

    /// <summary>
    /// Sends a GET and returns the response once headers arrive, body unread, so callers can copy
    /// exports of any size straight to their destination. The caller disposes the response.
    /// </summary>
    public async Task<HttpResponseMessage> GetStreamAsync(string path, CancellationToken ct)
    {
        var response = await _http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        try
        {
            await EnsureSuccessAsync(response, ct).ConfigureAwait(false);
            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    public void Dispose() => _http.Dispose();

    static StringContent JsonContent(JsonNode? body)
    {
        var content = new StringContent(body?.ToJsonString() ?? "{}", Encoding.UTF8);
        content.Headers.ContentType = JsonType;
        return content;
    }

    static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var raw = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        JsonNode? problem = null;
        try
        {
            // Accept any JSON body, not just application/problem+json: some middleware forgets the media type.
            problem = string.IsNullOrWhiteSpace(raw) ? null : JsonNode.Parse(raw);
        }
        catch (JsonException)
        {
        }

        throw new ApiException(response.StatusCode, response.ReasonPhrase, problem, raw);
    }
}
