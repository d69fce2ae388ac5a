using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;

namespace DataExchange.Core.Ingestion;

/// <summary>
/// Decompresses a spooled gzip payload and, when it ends, checks that it was not cut off. .NET's
/// <see cref="GZipStream"/> simply stops when its input runs out mid-member (dotnet/runtime#47563),
/// so a truncated download would parse as a shorter, valid payload, and a snapshot of it would
/// delete every record past the cut. zlib checks the CRC-32 and length of every member it
/// finishes; a cut can only leave the last member unfinished, and then the file does not end with
/// that member's 8-byte trailer (CRC-32, length mod 2^32).
/// </summary>
public sealed class GzipPayloadStream(FileStream file) : Stream
{
    readonly GZipStream _gzip = new(file, CompressionMode.Decompress, leaveOpen: true);
    long _length;
    bool _checked;

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <inheritdoc />
    public override int Read(Span<byte> buffer) => Counted(_gzip.Read(buffer), buffer.Length);

    /// <inheritdoc />
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Counted(await _gzip.ReadAsync(buffer, cancellationToken), buffer.Length);

    /// <inheritdoc />
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    int Counted(int n, int asked)
    {
        _length += n;
        if (n == 0 && asked > 0 && !_checked)
        {
            _checked = true;
            CheckEnd();
        }
        return n;
    }

    void CheckEnd()
    {
        // 10-byte header, at least 2 bytes of deflate data, 8-byte trailer.
        if (file.Length < 20) throw Truncated();
        Span<byte> trailer = stackalloc byte[8];
        RandomAccess.Read(file.SafeFileHandle, trailer, file.Length - 8);
        var crc = BinaryPrimitives.ReadUInt32LittleEndian(trailer);
        var size = BinaryPrimitives.ReadUInt32LittleEndian(trailer[4..]);
        // One member (nearly every payload): its trailer's length is the whole output's. A cut leaves
        // compressed bytes where the trailer should be; they match the length with odds of 2^-32.
        if (size == (uint)_length) return;
        if (size < _length && LastMemberMatches(crc, size)) return;
        throw Truncated();
    }

    /// <summary>Concatenated members (as bgzip writes them): decompress again and check the CRC-32 of the last member's bytes.</summary>
    bool LastMemberMatches(uint crc, uint size)
    {
        using var again = new FileStream(file.Name, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        using var gzip = new GZipStream(again, CompressionMode.Decompress);
        var crc32 = new Crc32();
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(1 << 16);
        try
        {
            long position = 0, start = _length - size;
            int n;
            while ((n = gzip.Read(buffer)) > 0)
            {
                var from = (int)Math.Clamp(start - position, 0, n);
                crc32.Append(buffer.AsSpan(from, n - from));
                position += n;
            }
            return crc32.GetCurrentHashAsUInt32() == crc;
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    TruncatedPayloadException Truncated() =>
        new($"The gzip payload is truncated: its {file.Length} bytes end inside the compressed data, before the gzip trailer " +
            $"({_length} bytes decompressed up to the cut). Nothing from it was published.");

    /// <inheritdoc />
    public override bool CanRead => true;
    /// <inheritdoc />
    public override bool CanSeek => false;
    /// <inheritdoc />
    public override bool CanWrite => false;
    /// <inheritdoc />
    public override long Length => throw new NotSupportedException();
    /// <inheritdoc />
    public override long Position { get => _length; set => throw new NotSupportedException(); }
    /// <inheritdoc />
    public override void Flush() { }
    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();
    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing) _gzip.Dispose();
        base.Dispose(disposing);
    }
}

/// <summary>A compressed payload that ends before its compressed data does: cut off in transfer, or still being written at the source.</summary>
public sealed class TruncatedPayloadException(string message) : IOException(message);
