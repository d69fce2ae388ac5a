using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DataExchange.Core.Pull;
using DataExchange.Core.Subscriptions;
using NUnit.Framework;

namespace DataExchange.Core.Tests.Pull;

/// <summary>Issue 13, item 6: a stream counts the rows it handed to the output, piece by flushed piece.</summary>
public sealed class RecordSinkTests
{
    static readonly string[] Fields = ["id", "name"];

    static PullContext Context()
    {
        var policy = AccessPolicy.Parse(new JsonObject(), Fields);
        return new PullContext("own.people", 1, new AccessDecision(true, "allowed", "", "sub", policy), new PolicyShaper(policy, new byte[32], ["id"]), Fields);
    }

    static void WriteRows(RecordSink sink, int rows)
    {
        for (var i = 0; i < rows; i++)
        {
            using var doc = JsonDocument.Parse($$"""{"id":"{{i:00000}}","name":"{{new string('n', 80)}}"}""");
            sink.Write(doc.RootElement);
        }
    }

    [Test]
    public async Task Flush_WritesFlushedPiecesOfAtMost32KiBThatEndAtARow_AndCountsEveryRow()
    {
        var output = new RecordingStream(failOnWrite: null);
        var sink = RecordSink.Create(RecordFormat.Ndjson, output, Context());
        WriteRows(sink, 1000);
        await sink.FlushAsync(CancellationToken.None);

        Assert.That(sink.Handed, Is.EqualTo(1000));
        Assert.That(output.Writes, Has.Count.GreaterThan(2));
        Assert.That(output.Writes, Has.All.Matches<byte[]>(w => w!.Length <= 32 * 1024 && w[^1] == (byte)'\n'));
        Assert.That(output.Flushes, Is.EqualTo(output.Writes.Count), "each piece is flushed (through gzip too) before its rows count");
        Assert.That(Encoding.UTF8.GetString([.. output.Writes.SelectMany(w => w)]).Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(1000));
    }

    [Test]
    public void AWriteThatFails_CountsTheRowsOfItsPiece_ThatMayHaveLeftInPart_AndNoneAfterIt()
    {
        var output = new RecordingStream(failOnWrite: 3);
        var sink = RecordSink.Create(RecordFormat.Ndjson, output, Context());
        WriteRows(sink, 1000);
        Assert.ThrowsAsync<IOException>(() => sink.FlushAsync(CancellationToken.None));

        var written = output.Writes.Sum(w => w.Count(b => b == (byte)'\n'));
        Assert.That(output.Writes, Has.Count.EqualTo(2));
        Assert.That(sink.Handed, Is.GreaterThan(written).And.LessThanOrEqualTo(written + 32 * 1024 / 100), "the two pieces written and the one that failed");
    }

    [Test]
    public async Task ACsvWithoutRows_WritesItsHeader_AndCountsNoRow()
    {
        var output = new RecordingStream(failOnWrite: null);
        var sink = RecordSink.Create(RecordFormat.Csv, output, Context());
        await sink.FlushAsync(CancellationToken.None);
        Assert.That(sink.Handed, Is.Zero);
        Assert.That(Encoding.UTF8.GetString([.. output.Writes.SelectMany(w => w)]), Is.EqualTo("id,name\r\n"));
    }

    /// <summary>Keeps each write; the <c>failOnWrite</c>-th write throws as a vanished client's socket does.</summary>
    sealed class RecordingStream(int? failOnWrite) : Stream
    {
        public List<byte[]> Writes { get; } = [];
        public int Flushes { get; private set; }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (Writes.Count + 1 == failOnWrite) throw new IOException("Connection reset by peer");
            Writes.Add(buffer.ToArray());
            return ValueTask.CompletedTask;
        }

        public override Task FlushAsync(CancellationToken cancellationToken)
        {
            Flushes++;
            return Task.CompletedTask;
        }

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() => Flushes++;
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
