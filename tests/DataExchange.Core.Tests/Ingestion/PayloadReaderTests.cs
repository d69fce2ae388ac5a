using System.Runtime.CompilerServices;
using System.Text;
using DataExchange.Core.Feeds;
using DataExchange.Core.Ingestion;
using NUnit.Framework;

namespace DataExchange.Core.Tests.Ingestion;

/// <summary>Issue 12: the payload reader refuses bytes it cannot decode and payloads that end too early.</summary>
public sealed class PayloadReaderTests
{
    static readonly Encoding Gb18030 = GetGb18030();

    static Encoding GetGb18030()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return Encoding.GetEncoding("GB18030");
    }

    static FeedDefinition Feed(string format, string encoding = "utf-8") =>
        new() { Source = "upload", Format = format, Delimiter = ",", Quote = "\"", Encoding = encoding, Gzip = false };

    internal static async Task<(List<SourceRecord> Records, string[] Header)> ReadAsync(byte[] bytes, FeedDefinition feed, IngestionOptions? options = null)
    {
        var path = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(path, bytes);
            var header = new StrongBox<string[]>([]);
            var records = new List<SourceRecord>();
            await foreach (var r in PayloadReader.ReadAsync(path, feed, options ?? new IngestionOptions(), header, CancellationToken.None)) records.Add(r);
            return (records, header.Value!);
        }
        finally
        {
            File.Delete(path);
        }
    }

    static Task<(List<SourceRecord> Records, string[] Header)> ReadAsync(string text, FeedDefinition feed) => ReadAsync(Encoding.UTF8.GetBytes(text), feed);

    [Test]
    public async Task InvalidUtf8_FailsTheRun_NamingTheByteItsOffsetAndLine()
    {
        var bytes = Encoding.UTF8.GetBytes("code,name\nA,ok\nB,caf").Concat(new byte[] { 0xE9, (byte)'\n' }).ToArray();
        var e = await Assert.ThrowsAsync<InvalidPayloadEncodingException>(() => ReadAsync(bytes, Feed("csv")));
        Assert.That(e!.Message, Is.EqualTo("The payload is not valid UTF-8: byte 0xE9 at offset 20 (line 3). Nothing from it was published."));
        Assert.That((e.Offset, e.Line), Is.EqualTo((20L, 3L)));
    }

    [TestCase("csv")]
    [TestCase("ndjson")]
    [TestCase("json")]
    public async Task Gb18030BytesInAUtf8Feed_FailTheRun_InsteadOfBecomingReplacementCharacters(string format)
    {
        var text = format switch
        {
            "csv" => "code,name\nA,广州\n",
            "ndjson" => "{\"code\":\"A\"}\n{\"name\":\"广州\"}\n",
            _ => "[{\"code\":\"A\"},\n{\"name\":\"广州\"}]",
        };
        var bytes = Gb18030.GetBytes(text);
        var offset = Array.IndexOf(bytes, (byte)0xB9);
        var e = await Assert.ThrowsAsync<InvalidPayloadEncodingException>(() => ReadAsync(bytes, Feed(format)));
        Assert.That(e!.Message, Does.StartWith($"The payload is not valid UTF-8: byte 0xB9 at offset {offset} (line 2)."));
    }

    [Test]
    public async Task AValidGb18030Feed_IsReadIntoUnicode_IncludingFourByteSequences()
    {
        var (records, header) = await ReadAsync(Gb18030.GetBytes("代码,名称\nA,广州市第一人民医院\nB,𠀀 emoji 😀\n"), Feed("csv", "gb18030"));
        Assert.That(header, Is.EqualTo(new[] { "代码", "名称" }));
        Assert.That(records.Select(r => r.Cells![1]), Is.EqualTo(new[] { "广州市第一人民医院", "𠀀 emoji 😀" }));
    }

    [Test]
    public async Task BytesInvalidInGb18030_FailTheRun_NamingOffsetAndLine()
    {
        var bytes = Gb18030.GetBytes("code,name\n广州,x\n").Concat(new byte[] { (byte)'B', (byte)',', 0x81, 0x20, (byte)'\n' }).ToArray();
        var e = await Assert.ThrowsAsync<InvalidPayloadEncodingException>(() => ReadAsync(bytes, Feed("csv", "gb18030")));
        Assert.That(e!.Message, Does.StartWith($"The payload is not valid GB18030: byte 0x81 at offset {bytes.Length - 3} (line 3)."));
    }

    [TestCase("csv")]
    [TestCase("ndjson")]
    [TestCase("json")]
    public async Task AUtf8ByteOrderMark_IsAccepted_AndIsNotPartOfTheFirstNameOrRecord(string format)
    {
        var text = format switch
        {
            "csv" => "\uFEFFcode,name\nA,a\n",
            "ndjson" => "\uFEFF{\"code\":\"A\"}\n",
            _ => "\uFEFF[{\"code\":\"A\"}]",
        };
        var (records, header) = await ReadAsync(text, Feed(format));
        Assert.That(records, Has.Count.EqualTo(1));
        if (format == "csv") Assert.That(header[0], Is.EqualTo("code"));
        else Assert.That(records[0].Json, Is.EqualTo("{\"code\":\"A\"}"));
    }

    [Test]
    public async Task MixedLineEndings_ReadEveryRecordWithItsLine()
    {
        var (records, _) = await ReadAsync("code,name\r\nA,a\nB,\"b\r\nb\"\r\nC,c\n", Feed("csv"));
        Assert.That(records.Select(r => (r.Line, r.Cells![0], r.Cells[1])), Is.EqualTo(new[] { (2L, "A", "a"), (3L, "B", "b\r\nb"), (5L, "C", "c") }));
    }

    [TestCase("code,name,note\nA,a,x\nB,b,\"stray\nC,c,y\nD,d,z\n", 3)]
    [TestCase("code,name,note\r\nA,a,x\r\nB,\"two\r\nlines\",\"open\r\nC,c,y\r\n", 4)]
    public async Task EndOfFileInsideAQuotedField_IsRefusedAsTruncated_NamingTheLineWhereTheFieldOpened(string text, int line)
    {
        var e = await Assert.ThrowsAsync<TruncatedPayloadException>(() => ReadAsync(text, Feed("csv")));
        Assert.That(e!.Message, Does.Contain($"opened on line {line},"));
    }

    [Test]
    public Task EndOfFileInsideAQuotedFieldOfTheHeader_IsRefusedAsTruncated() =>
        Assert.ThrowsAsync<TruncatedPayloadException>(() => ReadAsync("code,\"name\n", Feed("csv")));

    [Test]
    public async Task AHeaderOnlyCsv_GivesNoRecords()
    {
        var (records, header) = await ReadAsync("code,name\n", Feed("csv"));
        Assert.That((records.Count, header.Length), Is.EqualTo((0, 2)));
    }

    [TestCase("[{\"code\":\"A\"},{\"code\":\"B\"", 1)]
    [TestCase("[{\"code\":\"A\"},\n{\"code\":\n", 1)]
    [TestCase("[{\"code\":\"A\"},\n\n", 1)]
    [TestCase("[1, 2", 1)]
    [TestCase("[", 0)]
    public async Task AJsonArrayCutBeforeItsEnd_IsRefusedAsTruncated_WithTheLine(string text, int whole)
    {
        var e = await Assert.ThrowsAsync<TruncatedPayloadException>(() => ReadAsync(text, Feed("json")));
        Assert.That(e!.Message, Does.Contain($"line {text.Count(c => c == '\n') + 1}").And.Contain($"after {whole} complete element"));
    }

    [Test]
    public async Task JsonArrayElements_KeepTheirExactSourceText_NumbersUntouched()
    {
        var (records, _) = await ReadAsync("[ {\"a\": 1e400, \"b\":0.30000000000000000000000000001} ,\n 7, \"x\\u00e9\", [1,2.50], null ]\n", Feed("json"));
        Assert.That(records.Select(r => (r.Line, r.Json, r.Raw)), Is.EqualTo(new[]
        {
            (1L, "{\"a\": 1e400, \"b\":0.30000000000000000000000000001}", "{\"a\": 1e400, \"b\":0.30000000000000000000000000001}"),
            (2L, "7", "7"), (3L, "\"x\\u00e9\"", "\"x\\u00e9\""), (4L, "[1,2.50]", "[1,2.50]"), (5L, "null", "null"),
        }));
    }

    [Test]
    public async Task ContentAfterTheJsonArray_IsRefused()
    {
        var e = await Assert.ThrowsAsync<InvalidDataException>(() => ReadAsync("[{\"a\":1}]\n{\"b\":2}", Feed("json")));
        Assert.That(e!.Message, Does.Contain("after the JSON array").And.Contain("line 2"));
    }

    [Test]
    public async Task MalformedJsonInsideTheArray_FailsTheRun_WithTheLine()
    {
        var e = await Assert.ThrowsAsync<InvalidDataException>(() => ReadAsync("[{\"a\":1},\n{\"a\":2},\n{\"a\":tru}]", Feed("json")));
        Assert.That(e, Is.Not.InstanceOf<TruncatedPayloadException>());
        Assert.That(e!.Message, Does.Contain("line 3"));
    }

    [Test]
    public Task ANonArrayJsonPayload_IsRefused() =>
        Assert.ThrowsAsync<InvalidDataException>(() => ReadAsync("{\"a\":1}", Feed("json")));

    [Test]
    public async Task ALargeJsonArray_IsStreamed_HoldingOneElementAtATime()
    {
        // 200,000 elements of ~60 bytes (~12 MB) against a 1 MiB element limit: the reader refills its buffer
        // instead of growing it, so allocations stay far below the payload's size.
        const int count = 200_000;
        var path = Path.GetTempFileName();
        try
        {
            await using (var w = new StreamWriter(path, false, new UTF8Encoding(false)))
            {
                await w.WriteAsync('[');
                for (var i = 0; i < count; i++) await w.WriteAsync($"{(i == 0 ? "" : ",\n")}{{\"code\":\"{i:D8}\",\"value\":{i}.000000000000000000001}}");
                await w.WriteAsync(']');
            }
            var size = new FileInfo(path).Length;
            var header = new StrongBox<string[]>([]);
            var (n, last) = (0L, "");
            var before = GC.GetAllocatedBytesForCurrentThread();
            var peak = 0L;
            await foreach (var r in PayloadReader.ReadAsync(path, Feed("json"), new IngestionOptions { MaxRecordBytes = 1 << 20 }, header, CancellationToken.None))
            {
                (n, last) = (r.Line, r.Json!);
                if (n % 20_000 == 0) peak = Math.Max(peak, GC.GetTotalMemory(false));
            }
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.That((n, last), Is.EqualTo((count, $"{{\"code\":\"{count - 1:D8}\",\"value\":{count - 1}.000000000000000000001}}")));
            // Each element's string (~120 bytes as UTF-16) and its record: ~3× the payload; no copy of the whole payload in one piece.
            Assert.That(allocated, Is.LessThan(size * 5), "allocated bytes");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestCase("json")]
    [TestCase("ndjson")]
    public async Task AnElementLargerThanTheBuffer_IsRead_AndOneLargerThanTheRecordLimit_IsRefused(string format)
    {
        // 200,000 bytes: three times the 64 KiB the reader starts with.
        var big = $"{{\"code\":\"A\",\"note\":\"{new string('x', 200_000)}\"}}";
        var bytes = Encoding.UTF8.GetBytes(format == "json" ? $"[{big},{{\"code\":\"B\"}}]" : $"{big}\n{{\"code\":\"B\"}}\n");
        var (records, _) = await ReadAsync(bytes, Feed(format));
        Assert.That(records.Select(r => r.Json), Is.EqualTo(new[] { big, "{\"code\":\"B\"}" }));
        var e = await Assert.ThrowsAsync<InvalidDataException>(() => ReadAsync(bytes, Feed(format), new IngestionOptions { MaxRecordBytes = 100_000 }));
        Assert.That(e!.Message, Does.Contain("longer than 100000 bytes"));
    }

    [Test]
    public async Task ACutLastNdjsonLine_IsRefusedAsTruncated_WithItsLine()
    {
        var e = await Assert.ThrowsAsync<TruncatedPayloadException>(() => ReadAsync("{\"code\":\"A\"}\r\n\n{\"code\":\"B\",\"na", Feed("ndjson")));
        Assert.That(e!.Message, Does.Contain("line 3"));
    }

    [Test]
    public async Task ACompleteLastNdjsonLineWithoutNewline_IsRead_AndBlankLinesAreSkipped()
    {
        var (records, _) = await ReadAsync("{\"code\":\"A\"}\r\n\n  \n{\"code\":\"B\", \"n\": 1e400}", Feed("ndjson"));
        Assert.That(records.Select(r => (r.Line, r.Json)), Is.EqualTo(new[] { (1L, "{\"code\":\"A\"}"), (4L, "{\"code\":\"B\", \"n\": 1e400}") }));
    }

    [Test]
    public async Task AMalformedLastNdjsonLine_ReachesTheValidator_NotRefusedAsTruncated()
    {
        var (records, _) = await ReadAsync("{\"code\":\"A\"}\nnot json", Feed("ndjson"));
        Assert.That(records.Select(r => r.Json), Is.EqualTo(new[] { "{\"code\":\"A\"}", "not json" }));
    }
}
