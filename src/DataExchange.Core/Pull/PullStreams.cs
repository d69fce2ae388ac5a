using System.Threading.RateLimiting;
using DataExchange.Core.Common;
using Microsoft.Extensions.Options;
using Npgsql;

namespace DataExchange.Core.Pull;

/// <summary>
/// Admission of streamed pulls on this API node (issue 13, item 13: ~45 slow streams of one key took
/// every pooled connection, and the catalogue and /health/ready answered 503). A stream holds a
/// connection only while it reads a chunk, never while the client reads; at most
/// <see cref="PullOptions.MaxStreamsPerKey"/> per key and <see cref="PullOptions.MaxStreamsPerAgency"/>
/// per agency are open at once; and chunk reads queue for a share of the pool (a bulkhead), so
/// however many streams run, the rest of the pool serves everything else.
/// </summary>
public sealed class PullStreams : IDisposable
{
    readonly PartitionedRateLimiter<Caller> _open;
    readonly ConcurrencyLimiter _reads;

    public PullStreams(IOptions<PullOptions> options, NpgsqlDataSource dataSource)
    {
        var o = options.Value;
        _open = PartitionedRateLimiter.CreateChained(
            PartitionedRateLimiter.Create<Caller, string>(c => RateLimitPartition.GetConcurrencyLimiter(c.ClientId, _ => Limit(o.MaxStreamsPerKey))),
            PartitionedRateLimiter.Create<Caller, string>(c => RateLimitPartition.GetConcurrencyLimiter(c.AgencyId, _ => Limit(o.MaxStreamsPerAgency))));
        ReadSlots = Math.Max(1, (int)(new NpgsqlConnectionStringBuilder(dataSource.ConnectionString).MaxPoolSize * o.StreamPoolShare));
        _reads = new ConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = ReadSlots, QueueLimit = int.MaxValue, QueueProcessingOrder = QueueProcessingOrder.OldestFirst });
    }

    /// <summary>Connections streams may hold at once (the bulkhead's size).</summary>
    public int ReadSlots { get; }

    /// <summary>Opens a stream for <paramref name="caller"/> if neither its key nor its agency is at its limit; the lease is released when the stream ends.</summary>
    public RateLimitLease TryOpen(Caller caller) => _open.AttemptAcquire(caller);

    /// <summary>Waits for a turn to hold one of the pool's connections for a chunk read.</summary>
    public ValueTask<RateLimitLease> ReadSlotAsync(CancellationToken cancellationToken) => _reads.AcquireAsync(1, cancellationToken);

    static ConcurrencyLimiterOptions Limit(int permits) => new() { PermitLimit = permits, QueueLimit = 0 };

    public void Dispose()
    {
        _open.Dispose();
        _reads.Dispose();
    }
}
