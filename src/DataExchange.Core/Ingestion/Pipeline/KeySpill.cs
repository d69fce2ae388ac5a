using System.Buffers.Binary;
using System.Text;

namespace DataExchange.Core.Ingestion;

/// <summary>
/// The line and key of every record a first load wrote straight into <c>dx.records</c>, appended to a file beside the
/// payload as they are written (issue 14), so that the line of the first copy of a key that turns out to repeat is
/// found by reading these few bytes a record back (<see cref="Find"/>) instead of the payload again (its parse: about a
/// second of client time per million CSV rows, after the staging, alone). Memory holds one buffer; the file is at most
/// about the size of the keys (less than the payload it was read from), named like a spooled payload so that a killed
/// worker's is removed with its payload (<see cref="Feeds.SpoolFiles"/>), and deleted when disposed.
/// </summary>
internal sealed class KeySpill : IDisposable
{
    // Strict as BinaryCopyWriter: the keys written here are the ones written to dx.records.
    static readonly UTF8Encoding Utf8Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    const int Capacity = 1 << 16;

    // Each entry: the line (int64), the key's UTF-8 length (int32), the key's UTF-8.
    const int EntryHeader = 12;

    readonly FileStream _file;
    byte[] _buffer = new byte[Capacity];
    int _used;

    /// <summary>A new spill in <paramref name="directory"/>.</summary>
    public KeySpill(string directory) =>
        _file = new FileStream(Feeds.SpoolFiles.NewPath(directory), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 0,
            FileOptions.DeleteOnClose | FileOptions.SequentialScan);

    /// <summary>How many entries were added.</summary>
    public long Count { get; private set; }

    /// <summary>Appends the record of <paramref name="line"/> with <paramref name="key"/>.</summary>
    public void Add(long line, string key)
    {
        var max = EntryHeader + Utf8Strict.GetMaxByteCount(key.Length);
        if (max > Capacity - _used)
        {
            Flush();
            if (max > _buffer.Length) _buffer = new byte[max];
        }
        var at = _used;
        var n = Utf8Strict.GetBytes(key, _buffer.AsSpan(at + EntryHeader));
        BinaryPrimitives.WriteInt64LittleEndian(_buffer.AsSpan(at), line);
        BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(at + 8), n);
        _used = at + EntryHeader + n;
        Count++;
    }

    /// <summary>
    /// Reads every entry back, in the order added, and calls <paramref name="found"/> with the line and the key (the instance
    /// held by <paramref name="keys"/>) of each whose key is in <paramref name="keys"/> (an ordinal set); the others make no string.
    /// </summary>
    public void Find(HashSet<string> keys, Action<long, string> found)
    {
        var lookup = keys.GetAlternateLookup<ReadOnlySpan<char>>();
        Flush();
        _file.Position = 0;
        var chars = new char[Capacity];
        var (start, end) = (0, 0);
        long read = 0;
        while (true)
        {
            // An entry whole in the buffer, else move the rest to the front and read more.
            if (end - start < EntryHeader || end - start < EntryHeader + BinaryPrimitives.ReadInt32LittleEndian(_buffer.AsSpan(start + 8)))
            {
                var rest = end - start;
                if (rest >= EntryHeader && EntryHeader + BinaryPrimitives.ReadInt32LittleEndian(_buffer.AsSpan(start + 8)) > _buffer.Length)
                {
                    var larger = new byte[EntryHeader + BinaryPrimitives.ReadInt32LittleEndian(_buffer.AsSpan(start + 8))];
                    _buffer.AsSpan(start, rest).CopyTo(larger);
                    _buffer = larger;
                }
                else _buffer.AsSpan(start, rest).CopyTo(_buffer);
                (start, end) = (0, rest);
                var n = _file.Read(_buffer, end, _buffer.Length - end);
                if (n == 0)
                {
                    if (rest != 0 || read != Count) throw new InvalidDataException($"The first load's key spill ends after {read} of {Count} entries.");
                    _used = 0;
                    return;
                }
                end += n;
                continue;
            }
            var line = BinaryPrimitives.ReadInt64LittleEndian(_buffer.AsSpan(start));
            var length = BinaryPrimitives.ReadInt32LittleEndian(_buffer.AsSpan(start + 8));
            var bytes = _buffer.AsSpan(start + EntryHeader, length);
            if (chars.Length < length) chars = new char[length];
            var count = Utf8Strict.GetChars(bytes, chars);
            if (lookup.TryGetValue(chars.AsSpan(0, count), out var key)) found(line, key);
            start += EntryHeader + length;
            read++;
        }
    }

    void Flush()
    {
        if (_used == 0) return;
        _file.Write(_buffer, 0, _used);
        _used = 0;
    }

    /// <summary>Closes and deletes the file.</summary>
    public void Dispose() => _file.Dispose();
}
