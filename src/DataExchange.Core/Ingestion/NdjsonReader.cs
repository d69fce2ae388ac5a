using System.Text;
using System.Text.Json;

namespace DataExchange.Core.Ingestion;

/// <summary>
/// Splits UTF-8 NDJSON into lines (LF or CRLF), skipping blank ones. A last line without a newline that is
/// only the start of a JSON value is a payload cut in transfer, refused as truncated; a malformed line is
/// left to the validator, which quarantines it.
/// </summary>
sealed class NdjsonReader(Stream input, int maxLineBytes)
{
    byte[] _buffer = new byte[1 << 16];
    int _start, _end;
    bool _eof;

    /// <summary>The non-blank lines, each numbered by its line in the payload.</summary>
    public IEnumerable<SourceRecord> Records()
    {
        long line = 0;
        while (NextLine(out var text, out var terminated))
        {
            line++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            if (!terminated && IsCut(text))
                throw new TruncatedPayloadException($"The NDJSON payload is truncated: its last line, line {line}, has no newline and ends inside a JSON value. Nothing from it was published.");
            yield return new SourceRecord(line, null, text, text);
        }
    }

    bool NextLine(out string text, out bool terminated)
    {
        while (true)
        {
            var rest = _buffer.AsSpan(_start, _end - _start);
            var lf = rest.IndexOf((byte)'\n');
            if (lf >= 0 || (_eof && !rest.IsEmpty))
            {
                terminated = lf >= 0;
                var length = terminated ? lf : rest.Length;
                var content = rest[..length];
                if (content is [.., (byte)'\r']) content = content[..^1];
                text = Encoding.UTF8.GetString(content);
                _start += terminated ? lf + 1 : length;
                return true;
            }
            if (_eof)
            {
                (text, terminated) = ("", true);
                return false;
            }
            Refill();
        }
    }

    void Refill()
    {
        if (_start > 0)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            (_end, _start) = (_end - _start, 0);
        }
        if (_end == _buffer.Length)
        {
            if (_buffer.Length >= maxLineBytes) throw new InvalidDataException($"An NDJSON line is longer than {maxLineBytes} bytes; refusing the payload.");
            Array.Resize(ref _buffer, Math.Min(_buffer.Length * 2, maxLineBytes));
        }
        var n = input.Read(_buffer, _end, _buffer.Length - _end);
        _eof = n == 0;
        _end += n;
    }

    /// <summary>Whether <paramref name="text"/> is not a whole JSON value but the start of one that more bytes would complete.</summary>
    static bool IsCut(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        try
        {
            var whole = new Utf8JsonReader(bytes, isFinalBlock: true, default);
            while (whole.Read()) { }
            return false;
        }
        catch (JsonException)
        {
            // Not a whole value: cut short, or malformed. Read again as a block that more input would follow.
        }
        try
        {
            var prefix = new Utf8JsonReader(bytes, isFinalBlock: false, default);
            while (prefix.Read()) { }
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
