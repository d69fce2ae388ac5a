using System.Security.Cryptography;
using System.Text;
using DataExchange.Core.Common;
using NUnit.Framework;

namespace DataExchange.Core.Tests.Common;

/// <summary>What pull cursors and feed credentials rely on: a sealed value opens only under its key, format and associated data, and any changed byte fails.</summary>
public sealed class SealedBoxTests
{
    static readonly byte[] Key = RandomNumberGenerator.GetBytes(32);
    static readonly byte[] Plain = Encoding.UTF8.GetBytes("Bearer s3cret");
    static readonly byte[] Binding = Encoding.UTF8.GetBytes("dx-feed-credential-v1\0gd-amr.licences\0bearer\0\0data.example.gov.cn");

    [Test]
    public void Sealed_OpensUnderTheSameKeyAndBinding_AndHidesThePlainBytes()
    {
        var sealedBytes = SealedBox.Seal(Key, 1, Plain, Binding);
        Assert.That(SealedBox.Open(Key, 1, sealedBytes, Binding), Is.EqualTo(Plain));
        Assert.That(Convert.ToHexString(sealedBytes), Does.Not.Contain(Convert.ToHexString(Plain)));
        Assert.That(SealedBox.Seal(Key, 1, Plain, Binding), Is.Not.EqualTo(sealedBytes), "a fresh nonce each time");
    }

    [Test]
    public void Sealed_DoesNotOpen_UnderAnotherBindingKeyOrFormat()
    {
        var sealedBytes = SealedBox.Seal(Key, 1, Plain, Binding);
        Assert.That(SealedBox.Open(Key, 1, sealedBytes, Encoding.UTF8.GetBytes("dx-feed-credential-v1\0gz-hrss.other\0bearer\0\0data.example.gov.cn")), Is.Null);
        Assert.That(SealedBox.Open(RandomNumberGenerator.GetBytes(32), 1, sealedBytes, Binding), Is.Null);
        Assert.That(SealedBox.Open(Key, 2, sealedBytes, Binding), Is.Null);
    }

    [Test]
    public void EveryFlippedByte_FailsToOpen()
    {
        var sealedBytes = SealedBox.Seal(Key, 1, Plain, Binding);
        for (var i = 0; i < sealedBytes.Length; i++)
        {
            var changed = (byte[])sealedBytes.Clone();
            changed[i] ^= 0x01;
            Assert.That(SealedBox.Open(Key, 1, changed, Binding), Is.Null, $"byte {i}");
        }
        Assert.That(SealedBox.Open(Key, 1, sealedBytes.AsSpan(0, SealedBox.Overhead - 1), Binding), Is.Null);
    }
}
