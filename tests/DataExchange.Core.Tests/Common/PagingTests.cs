using DataExchange.Core.Common;
using NUnit.Framework;

namespace DataExchange.Core.Tests.Common;

public sealed class PagingTests
{
    [TestCase("2:91440101MA5CXYW10X")]
    [TestCase("key with spaces/and+signs=")]
    [TestCase("中文键")]
    public void Cursor_RoundTrips(string position) => Assert.That(Paging.Decode(Paging.Encode(position)), Is.EqualTo(position));

    [Test]
    public void Decode_RefusesGarbage_WithA400Problem()
    {
        var e = Assert.Throws<InvalidException>(() => Paging.Decode("%%%not-base64"));
        Assert.That(e!.Code, Is.EqualTo("invalid-cursor"));
    }

    [TestCase(null, 100)]
    [TestCase(5, 5)]
    [TestCase(5000, 1000)]
    public void Limit_DefaultsAndCaps(int? requested, int expected) => Assert.That(Paging.Limit(requested), Is.EqualTo(expected));

    [Test]
    public void Limit_RefusesZero() => Assert.Throws<InvalidException>(() => Paging.Limit(0));
}
