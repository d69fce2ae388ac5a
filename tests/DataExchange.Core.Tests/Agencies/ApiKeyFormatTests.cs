using DataExchange.Core.Agencies;
using NUnit.Framework;

namespace DataExchange.Core.Tests.Agencies;

public sealed class ApiKeyFormatTests
{
    [Test]
    public void NewKey_FormatsAndParsesBack()
    {
        var (id, secret) = ApiKeyFormat.NewKey();
        Assert.That(ApiKeyFormat.TryParse(ApiKeyFormat.Format(id, secret), out var parsedId, out var parsedSecret), Is.True);
        Assert.That((parsedId, parsedSecret), Is.EqualTo((id, secret)));
        Assert.That(secret, Has.Length.EqualTo(40), "40 base32 characters carry 200 random bits");
    }

    [Test]
    public void NewKey_IsDifferentEveryTime() => Assert.That(ApiKeyFormat.NewKey(), Is.Not.EqualTo(ApiKeyFormat.NewKey()));

    [TestCase("")]
    [TestCase("Bearer dx_a_b")]
    [TestCase("dx_")]
    [TestCase("dx_abc")]
    [TestCase("dx__secret")]
    [TestCase("dx_abc_")]
    [TestCase("sk_abc_def")]
    public void TryParse_RefusesWhatIsNotAKey(string presented) => Assert.That(ApiKeyFormat.TryParse(presented, out _, out _), Is.False);

    [Test]
    public void Hash_IsSha256OfTheSecret_NotTheSecret()
    {
        var hash = ApiKeyFormat.Hash("secret");
        Assert.That(Convert.ToHexStringLower(hash), Is.EqualTo("2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b"));
    }
}
