using System.Text;
using DataExchange.Core.Ingestion;
using NUnit.Framework;

namespace DataExchange.Core.Tests.Ingestion;

/// <summary>The first load's COPY writer stores text exactly as given, or refuses it.</summary>
[TestFixture]
public sealed class BinaryCopyWriterTests
{
    [Test]
    public void ALoneSurrogate_IsRefused_NotWrittenAsAReplacementCharacter() =>
        Assert.Throws<EncoderFallbackException>(() => new BinaryCopyWriter.Prepared().Text("key-\ud800"));

    [Test]
    public void EveryCodePoint_IsWrittenAsItsUtf8()
    {
        const string text = "Zoë 𝄞 東京";
        var bytes = new BinaryCopyWriter.Prepared().Text(text).Bytes.ToArray();
        Assert.That(bytes[4..], Is.EqualTo(Encoding.UTF8.GetBytes(text)));
        Assert.That(System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes), Is.EqualTo(Encoding.UTF8.GetByteCount(text)));
    }
}
