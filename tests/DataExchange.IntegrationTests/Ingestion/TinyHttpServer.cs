using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace DataExchange.IntegrationTests.Ingestion;

/// <summary>How <see cref="TinyHttpServer"/> misbehaves while it is set.</summary>
public enum SourceFault
{
    /// <summary>Answers normally.</summary>
    None,
    /// <summary>Accepts the request and never answers.</summary>
    HangBeforeHeaders,
    /// <summary>Sends the headers and the first half of the body, then nothing.</summary>
    HangMidBody,
    /// <summary>Declares the full Content-Length, sends half of the body and closes the connection.</summary>
    DropMidBody,
}

/// <summary>
/// A one-resource HTTP server on 127.0.0.1 (HttpListener): answers 304 to a matching If-None-Match,
/// otherwise the body with its ETag; 401 without its <see cref="RequiredHeader"/>; 302 to
/// <see cref="RedirectTo"/>; or misbehaves as <see cref="Fault"/> says. Requests are served
/// concurrently, so a hanging answer does not hold up the next request.
/// </summary>
public sealed class TinyHttpServer : IAsyncDisposable
{
    readonly HttpListener _listener = new();
    readonly CancellationTokenSource _stopping = new();
    readonly ConcurrentBag<Task> _handlers = [];
    readonly TaskCompletionSource _faulted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    readonly Task _loop;
    int _conditional, _requests, _failNext;

    TinyHttpServer(int port)
    {
        Url = $"http://127.0.0.1:{port}/";
        _listener.Prefixes.Add(Url);
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public string Url { get; }
    public byte[] BodyBytes { get; set; } = [];
    public string Body { get => Encoding.UTF8.GetString(BodyBytes); set => BodyBytes = Encoding.UTF8.GetBytes(value); }
    public string ETag { get; set; } = "\"0\"";
    public SourceFault Fault { get; set; }
    /// <summary>A header (name, exact value) every request must carry, else 401: a source behind authentication.</summary>
    public (string Name, string Value)? RequiredHeader { get; set; }
    /// <summary>When set, every request is answered 302 with this Location.</summary>
    public string? RedirectTo { get; set; }
    public int ConditionalRequests => Volatile.Read(ref _conditional);
    /// <summary>Every request received, whatever was answered.</summary>
    public int Requests => Volatile.Read(ref _requests);
    /// <summary>How many of the next requests answer 503 (a source that is briefly down).</summary>
    public int FailNext { get => Volatile.Read(ref _failNext); set => Volatile.Write(ref _failNext, value); }
    /// <summary>Completes when a faulty answer first stalls or is cut: the client is then provably mid-fetch.</summary>
    public Task Faulted => _faulted.Task;

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
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException) { return; }
            _handlers.Add(Task.Run(() => AnswerAsync(context)));
        }
    }

    async Task AnswerAsync(HttpListenerContext context)
    {
        var response = context.Response;
        try
        {
            Interlocked.Increment(ref _requests);
            var fault = Fault;
            if (Interlocked.Decrement(ref _failNext) >= 0)
            {
                response.StatusCode = 503;
                response.Close();
                return;
            }
            Interlocked.Exchange(ref _failNext, 0);
            if (RedirectTo is { } location)
            {
                response.StatusCode = 302;
                response.RedirectLocation = location;
                response.Close();
                return;
            }
            if (RequiredHeader is { } required && context.Request.Headers[required.Name] != required.Value)
            {
                response.StatusCode = 401;
                response.Close();
                return;
            }
            if (fault == SourceFault.HangBeforeHeaders) await StallAsync();
            if (context.Request.Headers["If-None-Match"] is { } tag)
            {
                Interlocked.Increment(ref _conditional);
                if (tag == ETag)
                {
                    response.StatusCode = 304;
                    response.Close();
                    return;
                }
            }
            var bytes = BodyBytes;
            response.Headers["ETag"] = ETag;
            response.ContentLength64 = bytes.Length;
            if (fault is SourceFault.HangMidBody or SourceFault.DropMidBody)
            {
                await response.OutputStream.WriteAsync(bytes.AsMemory(0, bytes.Length / 2), _stopping.Token);
                await response.OutputStream.FlushAsync(_stopping.Token);
                if (fault == SourceFault.HangMidBody) await StallAsync();
                _faulted.TrySetResult();
                response.Abort();
                return;
            }
            await response.OutputStream.WriteAsync(bytes, _stopping.Token);
            response.Close();
        }
        catch (Exception e) when (e is HttpListenerException or IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            // The client went away (a killed worker, a read timeout) or the server is stopping.
            response.Abort();
        }
    }

    async Task StallAsync()
    {
        _faulted.TrySetResult();
        await Task.Delay(Timeout.Infinite, _stopping.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        _listener.Close();
        await _loop;
        await Task.WhenAll(_handlers);
        _stopping.Dispose();
    }
}
