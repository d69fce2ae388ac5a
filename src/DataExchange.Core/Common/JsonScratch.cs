using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DataExchange.Core.Common;

/// <summary>
/// Each thread's own buffers and <see cref="Utf8JsonWriter"/>s, for JSON written only to be copied or read back at
/// once (issue 16: a lookup wrote its shaped record, its answer and its audit entry's canonical text each through a
/// new writer, whose first growth alone allocates 4 KB). One instance per writer options. A buffer is taken off the
/// thread's stack while in use, so a nested use gets another; one grown past 64 KB is not kept.
/// </summary>
public sealed class JsonScratch(JsonWriterOptions options)
{
    const int MaxKept = 64 * 1024;

    readonly ThreadLocal<Stack<(ArrayBufferWriter<byte> Buffer, Utf8JsonWriter Writer)>> _free = new(() => new());

    /// <summary>For the API's own JSON (<see cref="Json.WriterOptions"/>).</summary>
    public static JsonScratch Api { get; } = new(Json.WriterOptions);

    /// <summary>The bytes <paramref name="write"/> writes, as a new array of their length.</summary>
    public byte[] ToArray<TState>(TState state, Action<Utf8JsonWriter, TState> write) =>
        Use((state, write), static (w, s) => s.write(w, s.state), static (bytes, _) => bytes.ToArray());

    /// <summary>What <paramref name="read"/> makes of the bytes of <paramref name="node"/>.</summary>
    public TResult Use<TResult>(JsonNode node, Func<ReadOnlyMemory<byte>, JsonNode, TResult> read) =>
        Use(node, static (w, node) => node.WriteTo(w), read);

    TResult Use<TState, TResult>(TState state, Action<Utf8JsonWriter, TState> write, Func<ReadOnlyMemory<byte>, TState, TResult> read)
    {
        var free = _free.Value!;
        var (buffer, writer) = free.Count > 0 ? free.Pop() : (new ArrayBufferWriter<byte>(4096), new Utf8JsonWriter(Stream.Null, options));
        buffer.ResetWrittenCount();
        writer.Reset(buffer);
        write(writer, state);
        writer.Flush();
        var result = read(buffer.WrittenMemory, state);
        // Kept only after a use that went through: a writer left mid-document by an exception is dropped with its buffer.
        writer.Reset(Stream.Null);
        if (buffer.Capacity <= MaxKept) free.Push((buffer, writer));
        return result;
    }
}
