using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using DataExchange.Core.Agencies;
using Microsoft.Extensions.Options;

namespace DataExchange.Server.Console;

/// <summary>
/// Anonymous sign-in attempts per source address (issue 13, item 8): <see cref="ConsoleSignInOptions.PermitLimit"/>
/// per <see cref="ConsoleSignInOptions.Window"/>, a fixed window per source, counted in this process
/// (System.Threading.RateLimiting drops the windows of idle sources, so memory follows the active ones).
/// </summary>
public sealed class SignInLimiter : IDisposable
{
    readonly PartitionedRateLimiter<string> _limiter;
    readonly ConsoleSignInOptions _options;

    /// <summary>A limiter with the configured limit and window.</summary>
    public SignInLimiter(IOptions<ConsoleSignInOptions> options)
    {
        _options = options.Value;
        _limiter = PartitionedRateLimiter.Create<string, string>(source => RateLimitPartition.GetFixedWindowLimiter(source,
            _ => new FixedWindowRateLimiterOptions { PermitLimit = _options.PermitLimit, Window = _options.Window, QueueLimit = 0 }));
    }

    /// <summary>Takes one attempt of <paramref name="source"/>: null when it may try now, else how long until it may.</summary>
    public TimeSpan? TryAttempt(string source)
    {
        using var lease = _limiter.AttemptAcquire(source);
        if (lease.IsAcquired) return null;
        return lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : _options.Window;
    }

    /// <summary>
    /// The source a sign-in is counted for: an IPv4 address, or the /64 network of an IPv6 one (a single
    /// host is usually given a whole /64, so counting addresses would let it try 2⁶⁴ times as often).
    /// </summary>
    public static string SourceOf(IPAddress? address)
    {
        if (address is null) return "unknown";
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return address.ToString();
        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }

    /// <inheritdoc />
    public void Dispose() => _limiter.Dispose();
}
