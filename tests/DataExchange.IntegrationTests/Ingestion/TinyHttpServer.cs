using System.Net;
using System.Net.Sockets;
using System.Text;

namespace DataExchange.IntegrationTests.Ingestion;

/// <summary>
/// A one-resource HTTP server on 127.0.0.1 (HttpListener): answers 304 to a matching If-None-Match,
/// otherwise the body with its ETag; optionally trickles the body to make a run slow.
/// </summary>
public sealed class TinyHttpServer : IAsyncDisposable
{
    readonly HttpListener _listener = new();
    readonly Task _loop;
    int _conditional;

    TinyHttpServer(int port)
    {
        Url = $"http://127.0.0.1:{port}/";
        _listener.Prefixes.Add(Url);
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public string Url { get; }
    public string Body { get; set; } = "";
    public string ETag { get; set; } = "\"0\"";
    public int ConditionalRequests => Volatile.Read(ref _conditional);
    /// <summary>How many of the next requests answer 503 (a source that is briefly down).</summary>
    public int FailNext { get; set; }

    public static Task<TinyHttpServer> StartAsync()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return Task.FromResult(new TinyHttpServer(port));
    }

    async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException) { return; }
            using var response = context.Response;
            if (FailNext > 0)
            {
                FailNext--;
                response.StatusCode = 503;
                continue;
            }
            if (context.Request.Headers["If-None-Match"] is { } tag)
            {
                Interlocked.Increment(ref _conditional);
                if (tag == ETag)
                {
                    response.StatusCode = 304;
                    continue;
                }
            }
            var bytes = Encoding.UTF8.GetBytes(Body);
            response.Headers["ETag"] = ETag;
            response.ContentLength64 = bytes.Length;
            await response.OutputStream.WriteAsync(bytes);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop;
    }
}
