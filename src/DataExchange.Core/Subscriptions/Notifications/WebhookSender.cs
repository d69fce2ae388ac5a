using System.Text;

namespace DataExchange.Core.Subscriptions.Notifications;

/// <summary>The HTTP side of deliveries: no redirects (they could leave the allow-list), 10 s timeout.</summary>
public sealed class WebhookSender : IDisposable
{
    readonly HttpClient _http = new(new SocketsHttpHandler { AllowAutoRedirect = false, ConnectTimeout = TimeSpan.FromSeconds(5) }) { Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>POSTs <paramref name="body"/>; returns the status code, or null and the error.</summary>
    public async Task<(int? Status, string? Error)> PostAsync(string url, string body, string timestamp, string signature, long deliveryId, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-DataExchange-Timestamp", timestamp);
        request.Headers.Add("X-DataExchange-Signature", signature);
        request.Headers.Add("X-DataExchange-Delivery", deliveryId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        try
        {
            using var response = await _http.SendAsync(request, cancellationToken);
            return ((int)response.StatusCode, response.IsSuccessStatusCode ? null : response.ReasonPhrase);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return (null, e.Message);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();
}
