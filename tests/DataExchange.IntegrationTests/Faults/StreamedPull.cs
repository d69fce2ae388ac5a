using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace DataExchange.IntegrationTests.Faults;

/// <summary>
/// A streamed NDJSON pull read at the test's pace, over a socket whose receive buffer is fixed at 16 KiB
/// (no autotuning up to tcp_rmem's 32 MiB), so the server's writes block soon after the test stops
/// reading. Keeps the <c>id</c> of every complete record line read (the <c>key</c> of a change line).
/// </summary>
public sealed class StreamedPull : IDisposable
{
    readonly HttpResponseMessage _response;
    readonly Stream? _body;
    readonly byte[] _buffer = new byte[8 * 1024];
    readonly MemoryStream _line = new();

    StreamedPull(HttpResponseMessage response, Stream? body) => (_response, _body) = (response, body);

    /// <summary>The answer's status.</summary>
    public HttpStatusCode Status => _response.StatusCode;

    /// <summary>The answer (headers; the body of a refusal).</summary>
    public HttpResponseMessage Response => _response;

    /// <summary>The ids of the complete lines read so far, in order.</summary>
    public List<string> Ids { get; } = [];

    /// <summary>A client with <paramref name="key"/> whose connections have small receive buffers, no connection limit and no timeout.</summary>
    public static HttpClient Client(Uri address, string key)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, ReceiveBufferSize = 16 * 1024 };
                try
                {
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        var http = new HttpClient(handler) { BaseAddress = address, Timeout = Timeout.InfiniteTimeSpan };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        return http;
    }

    /// <summary>Sends the GET and reads the headers; the body is read by <see cref="ReadAsync"/>.</summary>
    public static async Task<StreamedPull> StartAsync(HttpClient http, string path, CancellationToken cancellationToken)
    {
        var response = await http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        var body = response.IsSuccessStatusCode ? await response.Content.ReadAsStreamAsync(cancellationToken) : null;
        return new StreamedPull(response, body);
    }

    /// <summary>
    /// Reads until at least <paramref name="rows"/> complete lines have arrived in all; true when the body
    /// ended cleanly, false when the connection broke (the server died), null when it goes on.
    /// </summary>
    public async Task<bool?> ReadAsync(long rows, CancellationToken cancellationToken)
    {
        while (Ids.Count < rows)
        {
            int n;
            try
            {
                n = await _body!.ReadAsync(_buffer, cancellationToken);
            }
            catch (Exception e) when (e is IOException or HttpRequestException)
            {
                return false;
            }
            if (n == 0) return true;
            Take(_buffer.AsSpan(0, n));
        }
        return null;
    }

    /// <summary>Reads to the end; true when the body ended cleanly, false when the connection broke.</summary>
    public async Task<bool> ReadToEndAsync(CancellationToken cancellationToken) => (await ReadAsync(long.MaxValue, cancellationToken))!.Value;

    void Take(ReadOnlySpan<byte> bytes)
    {
        while (bytes.IndexOf((byte)'\n') is var end and >= 0)
        {
            _line.Write(bytes[..end]);
            using (var doc = JsonDocument.Parse(_line.GetBuffer().AsMemory(0, (int)_line.Length)))
                Ids.Add((doc.RootElement.TryGetProperty("id", out var id) ? id : doc.RootElement.GetProperty("key")).GetString()!);
            _line.SetLength(0);
            bytes = bytes[(end + 1)..];
        }
        _line.Write(bytes);
    }

    /// <summary>Disposing before the end closes the connection: the client goes away mid-stream.</summary>
    public void Dispose()
    {
        _body?.Dispose();
        _response.Dispose();
    }
}
