using System.Buffers;

namespace DataExchange.Core.Pull;

/// <summary>
/// A buffer writer on arrays rented from <see cref="ArrayPool{T}.Shared"/> (issue 14): a JSON page of 1,000 records
/// is 100–150 KB, so an <see cref="ArrayBufferWriter{T}"/> of it allocated a zeroed array on the large object heap,
/// again whenever it grew (a masked page outgrew its estimate) and again for its copy. Here growing and the
/// buffer itself cost no allocation, and <see cref="ToArray"/> makes the one array kept, uninitialised, then filled.
/// </summary>
sealed class PooledBufferWriter(int capacity) : IBufferWriter<byte>, IDisposable
{
    byte[] _buffer = ArrayPool<byte>.Shared.Rent(capacity);
    int _written;

    /// <summary>Bytes written so far.</summary>
    public int WrittenCount => _written;

    /// <inheritdoc/>
    public void Advance(int count) => _written += count;

    /// <inheritdoc/>
    public Memory<byte> GetMemory(int sizeHint = 0) => Ensure(sizeHint).AsMemory(_written);

    /// <inheritdoc/>
    public Span<byte> GetSpan(int sizeHint = 0) => Ensure(sizeHint).AsSpan(_written);

    /// <summary>A copy of the bytes written.</summary>
    public byte[] ToArray()
    {
        var copy = GC.AllocateUninitializedArray<byte>(_written);
        _buffer.AsSpan(0, _written).CopyTo(copy);
        return copy;
    }

    byte[] Ensure(int sizeHint)
    {
        var needed = _written + Math.Max(sizeHint, 1);
        if (needed <= _buffer.Length) return _buffer;
        var larger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, 2 * _buffer.Length));
        _buffer.AsSpan(0, _written).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_buffer);
        return _buffer = larger;
    }

    /// <summary>Returns the buffer to the pool.</summary>
    public void Dispose()
    {
        if (_buffer.Length == 0) return;
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }
}
