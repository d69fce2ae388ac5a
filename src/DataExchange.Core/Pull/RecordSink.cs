using System.Buffers;
using System.Text;
using System.Text.Json;
using DataExchange.Core.Common;

namespace DataExchange.Core.Pull;

/// <summary>
/// Writes shaped records (or changes of the change feed) as NDJSON or CSV into a buffer that holds one
/// chunk of a stream, then writes the chunk out in pieces of ~32 KiB that end at a row, counting the rows
/// handed over: a pull of any size holds one chunk, not the result.
/// </summary>
public abstract class RecordSink(Stream output)
{
    /// <summary>Bytes per write: small enough that a failed write leaves little uncounted doubt, large enough for few system calls.</summary>
    const int Piece = 32 * 1024;

    /// <summary>Where each row of the buffer ends.</summary>
    readonly List<int> _rowEnds = [];

    /// <summary>The buffer of not yet written bytes.</summary>
    protected ArrayBufferWriter<byte> Buffer { get; } = new(64 * 1024);

    /// <summary>Bytes waiting to be written.</summary>
    public int Pending => Buffer.WrittenCount;

    /// <summary>
    /// Rows handed to the output (issue 13, item 6): written and flushed, through gzip too. The rows of a
    /// write that failed count as well, since part of it may have left; none of a chunk never written.
    /// The kernel's socket buffers still hold some of them, so a client that vanished may not have read
    /// them all.
    /// </summary>
    public long Handed { get; private set; }

    /// <summary>Bytes handed to the output, counted like <see cref="Handed"/> (before any gzip further down).</summary>
    public long HandedBytes { get; private set; }

    /// <summary>Appends one record.</summary>
    public abstract void Write(JsonElement record);

    /// <summary>Appends one change (sinks made by <see cref="CreateForChanges"/>).</summary>
    public abstract void Write(Change change);

    /// <summary>Ends the row just appended (a CSV header is no row).</summary>
    protected void EndRow() => _rowEnds.Add(Buffer.WrittenCount);

    /// <summary>Writes the buffer to the output in flushed pieces that end at a row, counting the rows in <see cref="Handed"/>.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var bytes = Buffer.WrittenMemory;
        int start = 0, row = 0;
        while (start < bytes.Length)
        {
            var first = row;
            while (row < _rowEnds.Count && (row == first || _rowEnds[row] - start <= Piece)) row++;
            var end = row > first ? _rowEnds[row - 1] : bytes.Length;
            try
            {
                await output.WriteAsync(bytes[start..end], cancellationToken);
                await output.FlushAsync(cancellationToken);
            }
            finally
            {
                Handed += row - first;
                HandedBytes += end - start;
            }
            start = end;
        }
        Buffer.ResetWrittenCount();
        _rowEnds.Clear();
    }

    /// <summary>The sink of <paramref name="format"/> (NDJSON or CSV).</summary>
    public static RecordSink Create(RecordFormat format, Stream output, PullContext context) => format switch
    {
        RecordFormat.Csv => new CsvSink(output, context, changes: false),
        _ => new NdjsonSink(output, context),
    };

    /// <summary>
    /// The sink of the change feed in <paramref name="format"/>: NDJSON lines are the JSON page's change
    /// objects; CSV has the columns <c>_op,_key,_version</c> (underscored so they cannot collide with a
    /// dataset's own fields) before the policy's fields, which stay empty in a tombstone.
    /// </summary>
    public static RecordSink CreateForChanges(RecordFormat format, Stream output, PullContext context) => format switch
    {
        RecordFormat.Csv => new CsvSink(output, context, changes: true),
        _ => new NdjsonSink(output, context),
    };

    sealed class NdjsonSink : RecordSink
    {
        readonly PullContext _context;
        readonly Utf8JsonWriter _writer;

        public NdjsonSink(Stream output, PullContext context) : base(output)
        {
            _context = context;
            _writer = new Utf8JsonWriter(Buffer, Common.Json.WriterOptions with { SkipValidation = true });
        }

        public override void Write(JsonElement record)
        {
            _context.Shaper.WriteJson(_writer, record);
            EndLine();
        }

        public override void Write(Change change)
        {
            change.WriteJson(_writer, _context.Shaper);
            EndLine();
        }

        void EndLine()
        {
            _writer.Flush();
            _writer.Reset();
            Buffer.Write("\n"u8);
            EndRow();
        }
    }

    sealed class CsvSink : RecordSink
    {
        readonly PullContext _context;
        readonly StringBuilder _line = new();

        public CsvSink(Stream output, PullContext context, bool changes) : base(output)
        {
            _context = context;
            var columns = context.Columns.Select(CsvValue.Text);
            WriteLine(changes ? ChangeColumns.Concat(columns) : columns);
        }

        static readonly CsvValue[] ChangeColumns = [CsvValue.Text("_op"), CsvValue.Text("_key"), CsvValue.Text("_version")];

        public override void Write(JsonElement record)
        {
            WriteLine(_context.Columns.Select(c => _context.Shaper.Cell(record, c)));
            EndRow();
        }

        public override void Write(Change change)
        {
            // A key made of a number field (a negative id) is a number cell, any other key text; a key
            // the policy does not show is an empty cell.
            var key = change.ShapedKey(_context.Shaper);
            CsvValue[] head = [new(change.Op, false), new(key, key is not null && !CsvValue.IsJsonNumber(key)),
                new(change.Version.ToString(System.Globalization.CultureInfo.InvariantCulture), false)];
            if (change.Data is null) WriteLine(head.Concat(_context.Columns.Select(_ => default(CsvValue))));
            else
            {
                using var doc = JsonDocument.Parse(change.Data);
                WriteLine(head.Concat(_context.Columns.Select(c => _context.Shaper.Cell(doc.RootElement, c))));
            }
            EndRow();
        }

        void WriteLine(IEnumerable<CsvValue> cells)
        {
            _line.Clear();
            var first = true;
            foreach (var cell in cells)
            {
                if (!first) _line.Append(',');
                first = false;
                CsvCell.Append(_line, cell.Value, cell.IsText);
            }
            _line.Append("\r\n");
            var bytes = Encoding.UTF8.GetByteCount(_line.ToString());
            var span = Buffer.GetSpan(bytes);
            Encoding.UTF8.GetBytes(_line.ToString(), span);
            Buffer.Advance(bytes);
        }
    }
}

/// <summary>One CSV cell: its text, and whether it is a text cell (a JSON string) rather than a number, boolean or JSON.</summary>
public readonly record struct CsvValue(string? Value, bool IsText)
{
    /// <summary>A text cell.</summary>
    public static CsvValue Text(string? value) => new(value, true);

    /// <summary>Whether <paramref name="s"/> is a JSON number (RFC 8259 grammar).</summary>
    public static bool IsJsonNumber(string s)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(s));
        try { return reader.Read() && reader.TokenType == JsonTokenType.Number && !reader.Read(); }
        catch (JsonException) { return false; }
    }
}
