namespace DataExchange.Server.Hosting;

/// <summary>Where <c>/metrics</c> answers besides the API port (section <c>Metrics</c>).</summary>
public sealed class MetricsOptions
{
    /// <summary>
    /// A port of its own for Prometheus, answering <c>/metrics</c> without a key and nothing else. Default
    /// none: <c>/metrics</c> is only on the API port, for the operator's admin keys.
    /// </summary>
    public int? Port { get; set; }

    /// <summary>The address that port listens on. Default <c>127.0.0.1</c>: only this machine can scrape without a key.</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>The URL Kestrel listens on for <see cref="Port"/>, or null.</summary>
    public string? Url => Port is { } port ? $"http://{(Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Host)}:{port}" : null;
}
