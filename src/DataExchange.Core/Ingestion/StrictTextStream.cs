using System.Text;
using System.Text.Unicode;

namespace DataExchange.Core.Ingestion;

/// <summary>
/// Turns a payload in its declared encoding (UTF-8, or GB18030/GBK) into validated UTF-8 for the parsers, and
/// fails at the first byte that is not valid in that encoding instead of replacing it with U+FFFD: a GB18030
/// file pushed to a UTF-8 feed once published 25,190 values as "����" (issue 12). A byte order mark at the
/// start is dropped, so it never becomes part of the first header name or record.
/// </summary>
public sealed class StrictTextStream : Stream
{
    const int Chunk = 1 << 16;
    static readonly byte[] Bom = [0xEF, 0xBB, 0xBF];

    readonly Stream _inner;
    readonly string _name;
    readonly Decoder? _decoder; // null for UTF-8: validated and passed through as is
    readonly byte[] _in = new byte[Chunk];
    readonly char[] _chars;
    readonly byte[] _transcoded;
    byte[] _out;
    int _outStart, _outEnd;
    int _consumed; // bytes at the start of _in that the last chunk passed on
    int _carry; // bytes after them, left for the next chunk to decide
    long _offset; // payload offset of _in[0]
    long _lines; // line feeds before _in[0]
    bool _eof, _started;

    /// <summary>Reads <paramref name="inner"/> as <paramref name="encoding"/>: <c>gb18030</c>, <c>gbk</c>, or anything else for UTF-8.</summary>
    public StrictTextStream(Stream inner, string? encoding)
    {
        _inner = inner;
        if (encoding is "gb18030" or "gbk")
        {
            Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
            // As before, gbk is read as GB18030, its superset.
            _decoder = Encoding.GetEncoding("GB18030", EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback).GetDecoder();
            _name = "GB18030";
            _chars = new char[Chunk + 8]; // a sequence left open by the chunk before adds at most one char
            _transcoded = new byte[_chars.Length * 3]; // UTF-8 takes at most 3 bytes per UTF-16 char
        }
        else
        {
            _name = "UTF-8";
            (_chars, _transcoded) = ([], []);
        }
        _out = _in;
    }

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <inheritdoc />
    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty) return 0;
        while (_outStart == _outEnd)
        {
            if (_eof && _carry == 0) return 0;
            Fill();
        }
        var n = Math.Min(buffer.Length, _outEnd - _outStart);
        _out.AsSpan(_outStart, n).CopyTo(buffer);
        _outStart += n;
        return n;
    }

    /// <inheritdoc />
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    /// <inheritdoc />
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer.AsSpan(offset, count)));

    void Fill()
    {
        if (_started)
        {
            // Count what the last chunk passed on, move its undecided tail to the front.
            _lines += _in.AsSpan(0, _consumed).Count((byte)'\n');
            _offset += _consumed;
            _in.AsSpan(_consumed, _carry).CopyTo(_in);
        }
        var n = _carry;
        // New bytes, and at least 4 (or the end): enough to see a byte order mark and to finish any sequence.
        while (!_eof && (n < 4 || n == _carry))
        {
            var read = _inner.Read(_in, n, _in.Length - n);
            if (read == 0) _eof = true;
            n += read;
        }
        if (_decoder is null) Validate(n);
        else Transcode(n);
        _started = true;
    }

    void Validate(int n)
    {
        var skip = !_started && n >= 3 && _in.AsSpan(0, 3).SequenceEqual(Bom) ? 3 : 0;
        var end = _eof ? n : WholeSequencesEnd(n, skip);
        var text = _in.AsSpan(skip, end - skip);
        // IsValid only reads (vectorised); the slower decode that finds the position runs once, for the error.
        if (!Utf8.IsValid(text))
        {
            Utf8.ToUtf16(text, new char[text.Length], out var valid, out _, replaceInvalidSequences: false, isFinalBlock: true);
            throw Invalid(_in[skip + valid], skip + valid);
        }
        (_consumed, _carry) = (end, n - end);
        (_out, _outStart, _outEnd) = (_in, skip, end);
    }

    /// <summary>Where the chunk ends before a sequence the next read may complete: back over up to 3 continuation bytes and their lead byte.</summary>
    int WholeSequencesEnd(int n, int skip)
    {
        var end = n;
        while (end > skip && end > n - 3 && (_in[end - 1] & 0xC0) == 0x80) end--;
        return end > skip && _in[end - 1] >= 0xC0 ? end - 1 : end;
    }

    void Transcode(int n)
    {
        // A byte below 0x30 (line feed, comma, quote, space) is never part of a multi-byte GB18030 sequence, so
        // the chunk is cut after the last one and each cut is decoded on its own: the decoder then reports a bad
        // byte at its index in this very chunk (across calls it reports leftover bytes at index 0 or later).
        var cut = _eof ? n : _in.AsSpan(0, n).LastIndexOfAnyInRange((byte)0, (byte)0x2F) + 1;
        // None in 64 KiB (never seen in CSV or JSON): decode it all and let the decoder carry the open sequence;
        // an error offset may then be up to 3 bytes late.
        var whole = cut == 0;
        if (whole) cut = n;
        int chars;
        try
        {
            chars = _decoder!.GetChars(_in, 0, cut, _chars, 0, flush: !whole);
        }
        catch (DecoderFallbackException e)
        {
            var at = Math.Clamp(e.Index, 0, cut - 1);
            throw Invalid(e.BytesUnknown is { Length: > 0 } b ? b[0] : _in[at], at);
        }
        var from = !_started && chars > 0 && _chars[0] == '\uFEFF' ? 1 : 0;
        (_consumed, _carry) = (cut, n - cut);
        (_out, _outStart, _outEnd) = (_transcoded, 0, Encoding.UTF8.GetBytes(_chars, from, chars - from, _transcoded, 0));
    }

    InvalidPayloadEncodingException Invalid(byte value, int index) =>
        new(_name, value, _offset + index, _lines + _in.AsSpan(0, Math.Max(index, 0)).Count((byte)'\n') + 1);

    /// <inheritdoc />
    public override bool CanRead => true;
    /// <inheritdoc />
    public override bool CanSeek => false;
    /// <inheritdoc />
    public override bool CanWrite => false;
    /// <inheritdoc />
    public override long Length => throw new NotSupportedException();
    /// <inheritdoc />
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    /// <inheritdoc />
    public override void Flush() { }
    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();
    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
