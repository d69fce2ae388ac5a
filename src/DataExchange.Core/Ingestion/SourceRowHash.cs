using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace DataExchange.Core.Ingestion;

/// <summary>
/// The SHA-256 of one source row as read (a CSV line's bytes, a JSON element's text) under everything that
/// decides what record the row becomes: the format, delimiter and quote, the CSV header, the key fields and
/// their folding, the delete marker and the schema version. Equal hashes mean the same row read the same way,
/// so the same record: a row whose hash is a current record's skips parse, validation and hashing (issue 14).
/// A full hash, compared exactly in PostgreSQL, never a guess. One per run and header; thread-safe.
/// </summary>
public sealed class SourceRowHash
{
    /// <summary>
    /// Bump when what a row becomes changes for the same reading (canonical form, coercion, key rules): the
    /// raw hashes published before then match nothing, and those rows take the full path once.
    /// </summary>
    const int Scheme = 1;

    [ThreadStatic] static byte[]? _buffer;

    readonly byte[] _context;

    SourceRowHash(byte[] context) => _context = context;

    /// <summary>The hash of rows of a run with this reading.</summary>
    public static SourceRowHash For(string? format, string? delimiter, string? quote, string[] header, IReadOnlyList<string> keyFields,
        bool caseInsensitiveKeys, string? deleteMarker, int schemaVersion)
    {
        // Lengths before every part, so that no two readings give the same bytes.
        var parts = new List<string?> { format, delimiter, quote, deleteMarker };
        parts.AddRange(header);
        parts.Add(null);
        parts.AddRange(keyFields);
        using var context = new MemoryStream();
        Span<byte> number = stackalloc byte[4];
        foreach (var n in new[] { Scheme, schemaVersion, caseInsensitiveKeys ? 1 : 0 })
        {
            BinaryPrimitives.WriteInt32LittleEndian(number, n);
            context.Write(number);
        }
        foreach (var part in parts)
        {
            BinaryPrimitives.WriteInt32LittleEndian(number, part is null ? -1 : Encoding.UTF8.GetByteCount(part));
            context.Write(number);
            if (part is not null) context.Write(Encoding.UTF8.GetBytes(part));
        }
        return new SourceRowHash(SHA256.HashData(context.ToArray()));
    }

    /// <summary>The hash of <paramref name="record"/>'s raw bytes under this reading.</summary>
    public byte[] Of(in SourceRecord record)
    {
        var raw = record.RawUtf8;
        var text = raw.IsEmpty ? record.Raw : null;
        var length = _context.Length + (text is null ? raw.Length : Encoding.UTF8.GetMaxByteCount(text.Length));
        var buffer = _buffer is { } b && b.Length >= length ? b : new byte[Math.Max(length, 1024)];
        _context.CopyTo(buffer, 0);
        var used = _context.Length + (text is null ? Copy(raw.Span, buffer) : Encoding.UTF8.GetBytes(text, 0, text.Length, buffer, _context.Length));
        if (buffer.Length <= 1 << 16) _buffer = buffer; // one huge row does not pin its buffer to the thread
        return RecordShaper.Sha256(buffer.AsSpan(0, used));
    }

    /// <summary>The hash of a CSV row's raw bytes under this reading (the same as <see cref="Of(in SourceRecord)"/> of its record).</summary>
    public byte[] Of(ReadOnlySpan<byte> raw)
    {
        var length = _context.Length + raw.Length;
        var buffer = _buffer is { } b && b.Length >= length ? b : new byte[Math.Max(length, 1024)];
        _context.CopyTo(buffer, 0);
        var used = _context.Length + Copy(raw, buffer);
        if (buffer.Length <= 1 << 16) _buffer = buffer;
        return RecordShaper.Sha256(buffer.AsSpan(0, used));
    }

    int Copy(ReadOnlySpan<byte> raw, byte[] buffer)
    {
        raw.CopyTo(buffer.AsSpan(_context.Length));
        return raw.Length;
    }
}
