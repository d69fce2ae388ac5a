using System.IO.Compression;
using System.Text;
using DataExchange.Core.Ingestion;
using NUnit.Framework;

namespace DataExchange.Core.Tests.Ingestion;

public sealed class GzipPayloadStreamTests
{
    static readonly byte[] Text = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 20_000).Select(i => $"{i},name {i}\n")));

    static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gz = new GZipStream(output, CompressionLevel.Fastest)) gz.Write(data);
        return output.ToArray();
    }

    static byte[] ReadAll(byte[] file)
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(path, file);
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read);
            using var gzip = new GzipPayloadStream(stream);
            using var output = new MemoryStream();
            gzip.CopyTo(output);
            return output.ToArray();
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void WholePayload_DecompressesAsIs() => Assert.That(ReadAll(Gzip(Text)), Is.EqualTo(Text));

    [Test]
    public void ConcatenatedMembers_DecompressAsOnePayload()
    {
        var half = Text.Length / 2;
        Assert.That(ReadAll([.. Gzip(Text[..half]), .. Gzip(Text[half..])]), Is.EqualTo(Text));
    }

    [TestCase(20)]
    [TestCase(0.5)]
    [TestCase(-8)]
    [TestCase(-1)]
    public void PayloadCutShort_IsRefusedAsTruncated(double cut)
    {
        var whole = Gzip(Text);
        var length = cut < 0 ? whole.Length + (int)cut : cut < 1 ? (int)(whole.Length * cut) : (int)cut;
        var e = Assert.Throws<TruncatedPayloadException>(() => ReadAll(whole[..length]));
        Assert.That(e!.Message, Does.Contain("truncated"));
    }

    [Test]
    public void SecondMemberCutShort_IsRefusedAsTruncated()
    {
        var half = Text.Length / 2;
        var second = Gzip(Text[half..]);
        Assert.Throws<TruncatedPayloadException>(() => ReadAll([.. Gzip(Text[..half]), .. second[..(second.Length / 2)]]));
    }
}
