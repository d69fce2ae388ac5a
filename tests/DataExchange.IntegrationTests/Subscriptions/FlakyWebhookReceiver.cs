using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace DataExchange.IntegrationTests.Subscriptions;

/// <summary>
/// A subscriber's webhook endpoint on 127.0.0.1 (HttpListener) that answers 500 to its first
/// <c>failures</c> requests and 204 afterwards, keeping every request it received.
/// </summary>
public sealed class FlakyWebhookReceiver : IAsyncDisposable
{
    readonly HttpListener _listener = new();
    readonly Task _loop;
    int _failuresLeft;

    /// <summary>One received POST: its signature headers and body.</summary>
    public sealed record Received(string Timestamp, string Signature, string DeliveryId, string Body, int AnsweredWith);

    public FlakyWebhookReceiver(int failures)
    {
        _failuresLeft = failures;
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        Url = $"http://127.0.0.1:{((IPEndPoint)probe.LocalEndpoint).Port}/hook/";
        probe.Stop();
        _listener.Prefixes.Add(Url);
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public string Url { get; }
    public ConcurrentQueue<Received> Requests { get; } = new();

    async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException) { return; }
            var body = await new StreamReader(context.Request.InputStream).ReadToEndAsync();
            var status = Interlocked.Decrement(ref _failuresLeft) >= 0 ? 500 : 204;
            Requests.Enqueue(new Received(context.Request.Headers["X-DataExchange-Timestamp"] ?? "", context.Request.Headers["X-DataExchange-Signature"] ?? "",
                context.Request.Headers["X-DataExchange-Delivery"] ?? "", body, status));
            context.Response.StatusCode = status;
            context.Response.Close();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop;
    }
}
