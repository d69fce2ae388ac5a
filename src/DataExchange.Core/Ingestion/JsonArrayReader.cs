using System.Text;
using System.Text.Json;

namespace DataExchange.Core.Ingestion;

/// <summary>
/// Streams the elements of one JSON array from UTF-8 with <see cref="Utf8JsonReader"/>, each as its exact
/// source text: numbers are never converted (Newtonsoft turned them into decimal/double, and one <c>1e400</c>
/// failed a whole run). Holds one element and a refillable buffer, never the payload.
/// </summary>
sealed class JsonArrayReader(Stream input, int maxElementBytes)
{
    static readonly JsonReaderOptions Options = new() { MaxDepth = 64 };
    byte[] _buffer = new byte[1 << 16];
    int _start, _end;
    bool _eof, _opened;
    JsonReaderState _state = new(Options);
    long _line = 1; // line of _buffer[_start]
    long _count;

    /// <summary>
    /// The elements; the <c>Line</c> of each is its position in the array: lines are not unique when several
    /// elements share a line, and the pipeline keys staging and quarantine on it.
    /// </summary>
    public IEnumerable<SourceRecord> Records()
    {
        while (TryNext(out var element)) yield return new SourceRecord(++_count, null, element, element);
        CheckNothingAfter();
    }

    bool TryNext(out string element)
    {
        element = "";
        while (true)
        {
            // Never the final block: a reader that runs out of bytes says so instead of throwing, and then a
            // payload that has no more is cut (the array is not closed), not malformed.
            var reader = new Utf8JsonReader(_buffer.AsSpan(_start, _end - _start), isFinalBlock: false, _state);
            try
            {
                if (!_opened && reader.Read())
                {
                    if (reader.TokenType != JsonTokenType.StartArray) throw NotAnArray();
                    _opened = true;
                    Commit(reader.BytesConsumed, reader.CurrentState);
                    continue;
                }
                if (_opened && reader.Read())
                {
                    if (reader.TokenType == JsonTokenType.EndArray)
                    {
                        Commit(reader.BytesConsumed, reader.CurrentState);
                        return false;
                    }
                    var from = (int)reader.TokenStartIndex;
                    if (reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray) || reader.TrySkip())
                    {
                        element = Encoding.UTF8.GetString(_buffer, _start + from, (int)reader.BytesConsumed - from);
                        Commit(reader.BytesConsumed, reader.CurrentState);
                        return true;
                    }
                }
            }
            catch (JsonException e)
            {
                // The reader state carries its 0-based line across refills; its message repeats it 0-based.
                var line = e.LineNumber is { } zeroBased ? zeroBased + 1 : _line;
                var why = e.Message.Split(" LineNumber:")[0];
                throw new InvalidDataException($"The JSON array is malformed at line {line}, after {_count} complete elements: {why}", e);
            }
            if (!Refill()) throw _opened ? Truncated() : NotAnArray();
        }
    }

    void Commit(long consumed, JsonReaderState state)
    {
        _line += _buffer.AsSpan(_start, (int)consumed).Count((byte)'\n');
        _start += (int)consumed;
        _state = state;
    }

    /// <summary>Reads more input after what is unread; false at the end of the payload.</summary>
    bool Refill()
    {
        if (_eof) return false;
        if (_start > 0)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            (_end, _start) = (_end - _start, 0);
        }
        if (_end == _buffer.Length)
        {
            if (_buffer.Length >= maxElementBytes)
                throw new InvalidDataException($"A JSON element starting near line {_line} is longer than {maxElementBytes} bytes; refusing the payload.");
            Array.Resize(ref _buffer, Math.Min(_buffer.Length * 2, maxElementBytes));
        }
        var n = input.Read(_buffer, _end, _buffer.Length - _end);
        _eof = n == 0;
        _end += n;
        return !_eof;
    }

    void CheckNothingAfter()
    {
        do
        {
            var rest = _buffer.AsSpan(_start, _end - _start);
            var at = rest.IndexOfAnyExcept(" \t\r\n"u8);
            if (at >= 0) throw new InvalidDataException($"There is content after the JSON array (line {_line + rest[..at].Count((byte)'\n')}).");
            _line += rest.Count((byte)'\n');
            _start = _end;
        }
        while (Refill());
    }

    TruncatedPayloadException Truncated()
    {
        var rest = _buffer.AsSpan(_start, _end - _start);
        var end = _line + rest.Count((byte)'\n');
        var open = rest.IndexOfAnyExcept(" \t\r\n,"u8);
        var where = open < 0 ? "" : $"; the unfinished element {_count + 1} starts at line {_line + rest[..open].Count((byte)'\n')}";
        return new($"The JSON array is truncated: the payload ends at line {end} before the closing ], after {_count} complete elements{where}. Nothing from it was published.");
    }

    static InvalidDataException NotAnArray() => new("A json feed must be one array of objects.");
}
