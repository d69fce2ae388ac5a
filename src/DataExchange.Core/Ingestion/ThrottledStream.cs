using System.Diagnostics;

namespace DataExchange.Core.Ingestion;

/// <summary>
/// A read-only stream that holds reads to an average of at most <c>bytesPerSecond</c>: after each read it sleeps
/// until the bytes read so far are due. Set by <see cref="IngestionOptions.MaxReadBytesPerSecond"/>, so that an
/// operator can keep a large run from saturating a shared disk, and so that a test can watch a run while it reads.
/// </summary>
public sealed class ThrottledStream : Stream
{
    readonly Stream _inner;
    readonly long _bytesPerSecond;
    readonly Stopwatch _clock = Stopwatch.StartNew();
    long _read;

    public ThrottledStream(Stream inner, long bytesPerSecond)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bytesPerSecond);
        _inner = inner;
        _bytesPerSecond = bytesPerSecond;
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _read; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = _inner.Read(buffer);
        if (Wait(n) is { } delay) Thread.Sleep(delay);
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await _inner.ReadAsync(buffer, cancellationToken);
        if (Wait(n) is { } delay) await Task.Delay(delay, cancellationToken);
        return n;
    }

    // How long to wait so that the bytes read so far were not read faster than allowed.
    TimeSpan? Wait(int n)
    {
        _read += n;
        var due = TimeSpan.FromSeconds((double)_read / _bytesPerSecond) - _clock.Elapsed;
        return due > TimeSpan.Zero ? due : null;
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) _inner.Dispose();
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await _inner.DisposeAsync();
        await base.DisposeAsync();
    }
}
