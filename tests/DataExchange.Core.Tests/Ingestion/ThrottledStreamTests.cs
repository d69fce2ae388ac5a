using System.Diagnostics;
using DataExchange.Core.Ingestion;
using NUnit.Framework;

namespace DataExchange.Core.Tests.Ingestion;

public sealed class ThrottledStreamTests
{
    [Test]
    public async Task Reads_TheSameBytes_NoFasterThanTheLimit()
    {
        var bytes = new byte[300_000];
        new Random(7).NextBytes(bytes);
        var clock = Stopwatch.StartNew();
        await using var throttled = new ThrottledStream(new MemoryStream(bytes), bytesPerSecond: 1_000_000);
        using var copy = new MemoryStream();
        await throttled.CopyToAsync(copy, 16_384);
        clock.Stop();

        Assert.That(copy.ToArray(), Is.EqualTo(bytes));
        // 300 kB at 1 MB/s is due at 0.3 s at the earliest; the last read waits until then.
        Assert.That(clock.Elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(0.27)));
    }

    [Test]
    public void SyncReads_AreHeldToo()
    {
        var bytes = new byte[100_000];
        var clock = Stopwatch.StartNew();
        using var throttled = new ThrottledStream(new MemoryStream(bytes), bytesPerSecond: 500_000);
        var buffer = new byte[10_000];
        var total = 0;
        int n;
        while ((n = throttled.Read(buffer, 0, buffer.Length)) > 0) total += n;
        Assert.That(total, Is.EqualTo(bytes.Length));
        Assert.That(clock.Elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(0.18)));
    }
}
