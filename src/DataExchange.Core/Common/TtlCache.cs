using System.Collections.Concurrent;

namespace DataExchange.Core.Common;

/// <summary>
/// A read-through cache whose entries live for <see cref="AccessCacheOptions.Ttl"/> on the injected clock,
/// so what another API node changed (a revoked key, a revoked subscription) is seen within that bound,
/// and tests move the bound with a fake clock (Microsoft.Extensions.Caching.Memory reads the system clock).
/// Null results are not kept: unknown ids cost a query each time, so guessing them cannot fill the cache.
/// A local change calls <see cref="Invalidate"/>, which takes effect at once, also over a load in flight.
/// </summary>
public sealed class TtlCache<TKey, TValue>(TimeProvider time, AccessCacheOptions options) where TKey : notnull where TValue : class
{
    readonly ConcurrentDictionary<TKey, (TValue Value, DateTimeOffset Until)> _entries = new();
    long _generation;

    /// <summary>The cached value of <paramref name="key"/>, else <paramref name="load"/>'s (kept unless null or invalidated meanwhile).</summary>
    public async ValueTask<TValue?> GetAsync<TState>(TKey key, TState state, Func<TKey, TState, CancellationToken, Task<TValue?>> load, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_entries.TryGetValue(key, out var entry) && entry.Until > now) return entry.Value;
        var generation = Interlocked.Read(ref _generation);
        var value = await load(key, state, cancellationToken);
        if (value is null) return null;
        // Bounded: a full cache starts over rather than tracking use (10,000 keys or subscriptions by default).
        if (_entries.Count >= options.Capacity) _entries.Clear();
        _entries[key] = (value, now + options.Ttl);
        // A local change during the load may have been read before it committed: drop what was loaded.
        if (Interlocked.Read(ref _generation) != generation) _entries.TryRemove(key, out _);
        return value;
    }

    /// <summary>Forgets <paramref name="key"/> (a change made on this node).</summary>
    public void Invalidate(TKey key)
    {
        Interlocked.Increment(ref _generation);
        _entries.TryRemove(key, out _);
    }

    /// <summary>Forgets every entry matching <paramref name="match"/>.</summary>
    public void Invalidate(Func<TKey, bool> match)
    {
        Interlocked.Increment(ref _generation);
        foreach (var key in _entries.Keys.Where(match)) _entries.TryRemove(key, out _);
    }
}

/// <summary>
/// How long API keys and access decisions are cached on an API node (section <c>AccessCache</c>): the
/// bound on how late a revocation or an expired subscription made on another node takes effect here.
/// </summary>
public sealed class AccessCacheOptions
{
    /// <summary>
    /// Default 1 s: at a few thousand requests a second per key that is one query per key and second
    /// instead of one per request, and a revocation elsewhere takes effect within a second. Expiry
    /// times are compared with the clock on every request, so expiry itself is never late.
    /// </summary>
    public TimeSpan Ttl { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Entries per cache before it starts over. Default 10,000.</summary>
    public int Capacity { get; set; } = 10_000;
}
