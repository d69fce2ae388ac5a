using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Npgsql;

namespace DataExchange.Core.Ingestion;

/// <summary>
/// Rows of a <c>copy … from stdin (format binary)</c> written in PostgreSQL's binary COPY format into a buffer
/// of its own and sent through Npgsql's raw COPY stream (issue 14). Npgsql's binary importer resolves, binds
/// and sizes every value through a parameter object (a string's UTF-8 counted, then encoded); here a string is
/// encoded once into the buffer and its length written after, and values that are the same on every row (a
/// run's dataset and version) are written from bytes prepared once (<see cref="Prepared"/>). The caller
/// writes exactly the fields the statement names, in its order, with the types of those columns: PostgreSQL
/// checks the field count of every row and each value's binary form. Disposed without
/// <see cref="CompleteAsync"/> (an error, a cancellation), the COPY is cancelled and nothing it sent is kept.
/// </summary>
internal sealed class BinaryCopyWriter : IAsyncDisposable
{
    // Throws on a lone surrogate where Encoding.UTF8 would write U+FFFD: the writer never stores text other than it was given
    // (the validator refuses such keys and values before, as Npgsql's own importer refused them).
    static readonly UTF8Encoding Utf8Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    // "PGCOPY\n\377\r\n\0", flags (no OIDs), header extension length.
    static readonly byte[] Header = [.. "PGCOPY\n"u8, 0xFF, .. "\r\n\0"u8, 0, 0, 0, 0, 0, 0, 0, 0];

    const int Capacity = 1 << 16;

    readonly Stream _stream;
    readonly NpgsqlRawCopyStream? _copy;
    readonly byte[] _buffer = new byte[Capacity];
    int _used;
    bool _done;

    BinaryCopyWriter(Stream stream, NpgsqlRawCopyStream? copy) => (_stream, _copy) = (stream, copy);

    /// <summary>Starts <paramref name="copySql"/> (a binary COPY from stdin) on <paramref name="conn"/>.</summary>
    public static async Task<BinaryCopyWriter> BeginAsync(NpgsqlConnection conn, string copySql, CancellationToken cancellationToken)
    {
        var copy = await conn.BeginRawBinaryCopyAsync(copySql, cancellationToken);
        var writer = new BinaryCopyWriter(copy, copy);
        writer.Raw(Header);
        return writer;
    }

    /// <summary>
    /// Rows written to <paramref name="file"/> in the same format, without the COPY's header and trailer, for a COPY later
    /// (<see cref="KnownRowSpill"/>: <see cref="Raw"/> sends them on as they are); <see cref="FlushRows"/> writes out the buffer. The caller owns the file.
    /// </summary>
    public static BinaryCopyWriter ToFile(Stream file) => new(file, null) { _done = true };

    /// <summary>Writes the buffered rows to the file of <see cref="ToFile"/>.</summary>
    public void FlushRows() => Flush();

    /// <summary>Starts a row of <paramref name="fields"/> fields.</summary>
    public void StartRow(short fields)
    {
        Ensure(2);
        BinaryPrimitives.WriteInt16BigEndian(_buffer.AsSpan(_used), fields);
        _used += 2;
    }

    /// <summary>Writes bytes already in the binary COPY format (fields from <see cref="Prepared"/>).</summary>
    public void Raw(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > Capacity - _used)
        {
            Flush();
            if (bytes.Length > Capacity)
            {
                _stream.Write(bytes);
                return;
            }
        }
        bytes.CopyTo(_buffer.AsSpan(_used));
        _used += bytes.Length;
    }

    /// <summary>A null field.</summary>
    public void Null()
    {
        Ensure(4);
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(_used), -1);
        _used += 4;
    }

    /// <summary>A <c>bigint</c> field.</summary>
    public void Int64(long value)
    {
        Ensure(12);
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(_used), 8);
        BinaryPrimitives.WriteInt64BigEndian(_buffer.AsSpan(_used + 4), value);
        _used += 12;
    }

    /// <summary>A <c>boolean</c> field.</summary>
    public void Bool(bool value)
    {
        Ensure(5);
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(_used), 1);
        _buffer[_used + 4] = value ? (byte)1 : (byte)0;
        _used += 5;
    }

    /// <summary>A <c>bytea</c> field.</summary>
    public void Bytes(ReadOnlySpan<byte> value)
    {
        Ensure(4);
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(_used), value.Length);
        _used += 4;
        Raw(value);
    }

    /// <summary>A <c>text</c> field: the string's UTF-8.</summary>
    public void Text(string value) => Utf8(value, version: false);

    /// <summary>A <c>jsonb</c> field: its format version (1), then the JSON text's UTF-8.</summary>
    public void Jsonb(string json) => Utf8(json, version: true);

    void Utf8(string value, bool version)
    {
        var prefix = version ? 1 : 0;
        var max = Utf8Strict.GetMaxByteCount(value.Length) + prefix;
        if (max > Capacity - 4)
        {
            // A value longer than the buffer (records are at most a few MiB): encoded apart.
            var rented = ArrayPool<byte>.Shared.Rent(max);
            try
            {
                rented[0] = 1;
                var n = Utf8Strict.GetBytes(value, rented.AsSpan(prefix)) + prefix;
                Ensure(4);
                BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(_used), n);
                _used += 4;
                Raw(rented.AsSpan(0, n));
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
            return;
        }
        Ensure(4 + max);
        var at = _used;
        if (version) _buffer[at + 4] = 1;
        var length = Utf8Strict.GetBytes(value, _buffer.AsSpan(at + 4 + prefix)) + prefix;
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(at), length);
        _used = at + 4 + length;
    }

    /// <summary>Ends the COPY: the trailer, then PostgreSQL's answer (its error, if a row was refused).</summary>
    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        if (_copy is null) throw new InvalidOperationException("Rows written to a file have no COPY to complete.");
        Ensure(2);
        BinaryPrimitives.WriteInt16BigEndian(_buffer.AsSpan(_used), -1);
        _used += 2;
        await _stream.WriteAsync(_buffer.AsMemory(0, _used), cancellationToken);
        _used = 0;
        _done = true;
        // Disposing a raw COPY stream that writes sends CopyDone and reads the command's completion.
        await _copy.DisposeAsync();
    }

    /// <summary>Cancels the COPY unless it completed.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_done) return;
        _done = true;
        try
        {
            await _copy!.CancelAsync();
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or IOException or ObjectDisposedException)
        {
            // The connection broke or the COPY failed already: the transaction it wrote in does not commit either way.
        }
    }

    void Ensure(int bytes)
    {
        if (bytes > Capacity - _used) Flush();
    }

    // Synchronous, as the stage's writes are: it blocks only when the socket is full.
    void Flush()
    {
        if (_used == 0) return;
        _stream.Write(_buffer.AsSpan(0, _used));
        _used = 0;
    }

    /// <summary>Fields that are the same on every row, in the binary COPY format.</summary>
    public sealed class Prepared
    {
        readonly ArrayBufferWriter<byte> _bytes = new();

        /// <summary>Adds a <c>text</c> field.</summary>
        public Prepared Text(string value)
        {
            var utf8 = Utf8Strict.GetBytes(value);
            BinaryPrimitives.WriteInt32BigEndian(_bytes.GetSpan(4), utf8.Length);
            _bytes.Advance(4);
            _bytes.Write(utf8);
            return this;
        }

        /// <summary>Adds an <c>integer</c> field.</summary>
        public Prepared Int32(int value)
        {
            var span = _bytes.GetSpan(8);
            BinaryPrimitives.WriteInt32BigEndian(span, 4);
            BinaryPrimitives.WriteInt32BigEndian(span[4..], value);
            _bytes.Advance(8);
            return this;
        }

        /// <summary>Adds a null field.</summary>
        public Prepared Null()
        {
            BinaryPrimitives.WriteInt32BigEndian(_bytes.GetSpan(4), -1);
            _bytes.Advance(4);
            return this;
        }

        /// <summary>Adds a <c>boolean</c> field.</summary>
        public Prepared Bool(bool value)
        {
            var span = _bytes.GetSpan(5);
            BinaryPrimitives.WriteInt32BigEndian(span, 1);
            span[4] = value ? (byte)1 : (byte)0;
            _bytes.Advance(5);
            return this;
        }

        /// <summary>The fields' bytes.</summary>
        public ReadOnlySpan<byte> Bytes => _bytes.WrittenSpan;
    }
}
