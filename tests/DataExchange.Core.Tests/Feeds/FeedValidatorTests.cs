using DataExchange.Core.Common;
using DataExchange.Core.Feeds;
using NUnit.Framework;

namespace DataExchange.Core.Tests.Feeds;

public sealed class FeedValidatorTests
{
    static readonly FeedOptions Options = new() { DropRoot = Path.Combine(Path.GetTempPath(), "dx-drop-root"), AllowedHosts = ["data.example.gov.cn"] };
    static readonly FeedHostList Hosts = new(Microsoft.Extensions.Options.Options.Create(Options));

    [TestCase("../etc/passwd")]
    [TestCase("a/../../etc/passwd")]
    [TestCase("/etc/passwd")]
    [TestCase("")]
    public void Check_RefusesPathsThatLeaveTheRoot(string path) =>
        Assert.That(DropFolder.Check(Options, "gd-amr", path, out _)?.Code, Is.EqualTo("path-escapes-root"));

    [Test]
    public void Check_AcceptsNestedPathsInTheAgencysFolder()
    {
        Assert.That(DropFolder.Check(Options, "gd-amr", "gd-amr/2026/licences.csv", out var path), Is.Null);
        Assert.That(path, Is.EqualTo(Path.Combine(Options.DropRoot, "gd-amr", "2026", "licences.csv")));
    }

    [TestCase("https://data.example.gov.cn/x.csv", true)]
    [TestCase("https://DATA.example.gov.cn/x.csv", true)]
    [TestCase("https://169.254.169.254/latest/meta-data", false)]
    [TestCase("http://127.0.0.1:5432/", false)]
    [TestCase("ftp://data.example.gov.cn/x.csv", false)]
    [TestCase("https://data.example.gov.cn.evil.com/x.csv", false)]
    public void Allows_OnlyTheAllowList(string url, bool allowed) => Assert.That(Hosts.Allows(new Uri(url)), Is.EqualTo(allowed));

    [Test]
    public void Normalise_FillsDefaults()
    {
        var feed = FeedValidator.Normalise(new FeedDefinition { Source = "file:gd-amr/x.csv", Cron = "0 2 * * *" }, Options, Hosts, "gd-amr");
        Assert.That((feed.Format, feed.Mode, feed.Delimiter, feed.Encoding, feed.OnConflict, feed.RejectThreshold), Is.EqualTo(("csv", "snapshot", ",", "utf-8", "reject", 0.1)));
        Assert.That(feed.MaxDeleteShare, Is.EqualTo(0.1));
    }

    [TestCase(-0.01)]
    [TestCase(1.01)]
    public void Normalise_RefusesAMaxDeleteShareOutsideZeroToOne_Issue12(double share)
    {
        var e = Assert.Throws<InvalidException>(() => FeedValidator.Normalise(new FeedDefinition { Source = "upload", MaxDeleteShare = share }, Options, Hosts, "gd-amr"));
        Assert.That(e!.Errors.Select(p => p.Pointer), Is.EqualTo(new[] { "/feed/maxDeleteShare" }));
    }

    [Test]
    public void Normalise_ListsEveryProblem()
    {
        var e = Assert.Throws<InvalidException>(() => FeedValidator.Normalise(new FeedDefinition
        {
            Source = "https://169.254.169.254/x", Format = "xml", Mode = "sometimes", Cron = "every day", Delimiter = "ab", Encoding = "latin1",
        }, Options, Hosts, "gd-amr"));
        Assert.That(e!.Errors.Select(x => x.Pointer), Is.EquivalentTo(new[] { "/feed/source", "/feed/format", "/feed/mode", "/feed/cron", "/feed/delimiter", "/feed/encoding" }));
    }
}
