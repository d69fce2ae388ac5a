using System.Text;
using DataExchange.Core.Ingestion;
using NUnit.Framework;

namespace DataExchange.Core.Tests.Ingestion;

/// <summary>Issue 12: strict decoding holds across the reader's 64 KiB chunks.</summary>
public sealed class StrictTextStreamTests
{
    static readonly Encoding Gb18030 = GetGb18030();

    static Encoding GetGb18030()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return Encoding.GetEncoding("GB18030");
    }

    // 5-byte and 7-byte units against a 65,536-byte chunk: sequences straddle chunk boundaries at many offsets.
    static readonly string Text = string.Concat(Enumerable.Range(0, 60_000).Select(i => i % 3 == 0 ? "ab€\n" : i % 3 == 1 ? "a😀广\n" : "z𠀀é\n"));

    static byte[] ReadAll(byte[] payload, string encoding)
    {
        using var strict = new StrictTextStream(new MemoryStream(payload), encoding);
        using var output = new MemoryStream();
        strict.CopyTo(output);
        return output.ToArray();
    }

    [Test]
    public void ValidUtf8_PassesThroughUnchanged_AcrossChunkBoundaries() =>
        Assert.That(ReadAll(Encoding.UTF8.GetBytes(Text), "utf-8"), Is.EqualTo(Encoding.UTF8.GetBytes(Text)));

    [Test]
    public void ValidGb18030_IsTranscodedToUtf8_AcrossChunkBoundaries() =>
        Assert.That(Encoding.UTF8.GetString(ReadAll(Gb18030.GetBytes(Text), "gb18030")), Is.EqualTo(Text));

    [TestCase("utf-8")]
    [TestCase("gb18030")]
    public void AnInvalidByteFarIntoThePayload_IsReportedAtItsOffsetAndLine(string encoding)
    {
        var bad = encoding == "utf-8" ? Encoding.UTF8.GetBytes(Text) : Gb18030.GetBytes(Text);
        // 0xFF is invalid in both; put it at the start of a line past the third chunk.
        var at = Array.LastIndexOf(bad, (byte)'\n', 200_003) + 1;
        bad[at] = 0xFF;
        var e = Assert.Throws<InvalidPayloadEncodingException>(() => ReadAll(bad, encoding));
        Assert.That((e!.Offset, e.Line), Is.EqualTo(((long)at, (long)bad.AsSpan(0, at).Count((byte)'\n') + 1)));
    }

    [Test]
    public void AGb18030LeadByteEndingAChunk_WithABadByteAfterIt_IsReportedAtTheLeadByte()
    {
        // 65,535 bytes of lines, then a lead byte as the chunk's last byte, and a line feed, never a trail byte, after it.
        var bytes = Enumerable.Range(0, 65_535).Select(i => i % 2 == 0 ? (byte)'a' : (byte)'\n').Concat(new byte[] { 0x81, 0x0A, (byte)'b' }).ToArray();
        var e = Assert.Throws<InvalidPayloadEncodingException>(() => ReadAll(bytes, "gb18030"));
        Assert.That((e!.Offset, e.Line), Is.EqualTo((65_535L, 65_535L / 2 + 1)));
    }

    [Test]
    public void AUtf8SequenceCutByTheEndOfThePayload_IsInvalid()
    {
        var e = Assert.Throws<InvalidPayloadEncodingException>(() => ReadAll([(byte)'a', (byte)'\n', 0xE5, 0xB9], "utf-8"));
        Assert.That(e!.Message, Does.StartWith("The payload is not valid UTF-8: byte 0xE5 at offset 2 (line 2)."));
    }
}
