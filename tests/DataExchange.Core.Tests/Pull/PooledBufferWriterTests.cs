using System.Buffers;
using System.Security.Cryptography;
using DataExchange.Core.Pull;
using NUnit.Framework;

namespace DataExchange.Core.Tests.Pull;

/// <summary>Issue 14: a page's bytes are written into pooled buffers; what is kept is every byte written, in order.</summary>
public sealed class PooledBufferWriterTests
{
    [Test]
    public void WritesPastItsCapacity_KeepEveryByteInOrder()
    {
        var expected = RandomNumberGenerator.GetBytes(300_000);
        using var writer = new PooledBufferWriter(1000);
        for (var at = 0; at < expected.Length; at += 777)
            writer.Write(expected.AsSpan(at, Math.Min(777, expected.Length - at)));

        Assert.That(writer.WrittenCount, Is.EqualTo(expected.Length));
        Assert.That(writer.ToArray(), Is.EqualTo(expected));
    }
}
