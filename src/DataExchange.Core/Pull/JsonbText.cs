using System.Buffers;
using Npgsql;

namespace DataExchange.Core.Pull;

/// <summary>
/// A stored record as served when the policy keeps every field unmasked (issue 14): PostgreSQL's own text
/// of the jsonb, without parsing it. <c>data::text</c> differs from the compact JSON the shaped path writes
/// only by the space jsonb's output puts after every <c>,</c> and <c>:</c> between tokens, so dropping the
/// spaces outside strings gives the same bytes: strings are escaped exactly as the canonical form and
/// <see cref="Common.MinimalJsonEncoder"/> escape them (only <c>"</c>, <c>\</c> and U+0000–U+001F), and
/// numbers are numeric's text of the stored value (any precision, no exponent). The bytes <c>"</c>,
/// <c>\</c> and space never occur inside a multi-byte UTF-8 sequence, so the scan is over bytes.
/// </summary>
public static class JsonbText
{
    static readonly SearchValues<byte> OutsideString = SearchValues.Create([(byte)'"', (byte)' ']);
    static readonly SearchValues<byte> InsideString = SearchValues.Create([(byte)'"', (byte)'\\']);

    /// <summary>Appends column <paramref name="ordinal"/> (a <c>jsonb::text</c>) of the current row, compacted, to <paramref name="output"/>.</summary>
    public static void AppendCompact(NpgsqlDataReader reader, int ordinal, IBufferWriter<byte> output) => Append(reader, ordinal, output, compact: true);

    /// <summary>Appends column <paramref name="ordinal"/> of the current row to <paramref name="output"/> as PostgreSQL sent it.</summary>
    public static void AppendRaw(NpgsqlDataReader reader, int ordinal, IBufferWriter<byte> output) => Append(reader, ordinal, output, compact: false);

    /// <summary>Appends <paramref name="jsonb"/> (jsonb's text, or a part of it that starts outside a string) without the spaces outside its strings.</summary>
    public static void AppendCompact(ReadOnlySpan<byte> jsonb, IBufferWriter<byte> output) => new Compactor().Append(jsonb, output);

    static void Append(NpgsqlDataReader reader, int ordinal, IBufferWriter<byte> output, bool compact)
    {
        // Rows are buffered whole by Npgsql (the reader is not sequential): this copies from its buffer, no I/O.
        using var stream = reader.GetStream(ordinal);
        var compactor = new Compactor();
        var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int n;
            while ((n = stream.Read(chunk)) > 0)
                if (compact) compactor.Append(chunk.AsSpan(0, n), output);
                else output.Write(chunk.AsSpan(0, n));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    /// <summary><paramref name="jsonb"/> (jsonb's text output, UTF-8) without the spaces outside its strings.</summary>
    public static byte[] Compact(ReadOnlySpan<byte> jsonb)
    {
        var output = new ArrayBufferWriter<byte>(jsonb.Length);
        new Compactor().Append(jsonb, output);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>The scan, resumable across the chunks a column is read in.</summary>
    struct Compactor
    {
        bool _inString;
        bool _escaped;

        public void Append(ReadOnlySpan<byte> text, IBufferWriter<byte> output)
        {
            while (!text.IsEmpty)
            {
                if (_escaped)
                {
                    // The byte after a backslash (an escape's letter, or a quote) never ends the string.
                    output.Write(text[..1]);
                    text = text[1..];
                    _escaped = false;
                    continue;
                }
                var at = text.IndexOfAny(_inString ? InsideString : OutsideString);
                if (at < 0)
                {
                    output.Write(text);
                    return;
                }
                var b = text[at];
                if (b == (byte)' ')
                {
                    output.Write(text[..at]);
                    text = text[(at + 1)..];
                    continue;
                }
                output.Write(text[..(at + 1)]);
                text = text[(at + 1)..];
                if (b == (byte)'\\') _escaped = true;
                else _inString = !_inString;
            }
        }
    }
}
