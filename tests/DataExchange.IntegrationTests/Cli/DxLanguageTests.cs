using DataExchange.IntegrationTests.Hosting;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Cli;

/// <summary>
/// Issue 18 ("The console speaks its users' language"): dx's human-readable output in Simplified Chinese by <c>--lang</c>
/// or the locale variables (<c>LC_ALL</c> over <c>LANG</c>), English by default; the server's problem detail comes back
/// in the same language; data, <c>--json</c> and exit codes do not change.
/// </summary>
[TestFixture]
public sealed class DxLanguageTests
{
    KestrelExchange _exchange = null!;
    DxProcess _dx = null!;
    static readonly Dictionary<string, string> NoLocale = new() { ["LC_ALL"] = "", ["LC_MESSAGES"] = "", ["LANG"] = "C.UTF-8" };

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _exchange = await KestrelExchange.StartAsync("dx_language");
        _dx = new DxProcess(Path.Combine(Path.GetTempPath(), $"dx-language-{Guid.NewGuid():N}.json"));
    }

    [OneTimeTearDown]
    public void Stop() => _exchange.Dispose();

    Task<DxResult> RunAsync(string[] args, IDictionary<string, string> environment) =>
        _dx.RunAsync(args, _exchange.AdminKey, server: _exchange.Address, environment: environment);

    [Test]
    public async Task Dx_SpeaksChinese_ByLangOrTheLocale_AndEnglishByDefault()
    {
        var english = await RunAsync(["datasets", "show", "nobody.nothing"], NoLocale);
        Assert.That(english.ExitCode, Is.Not.Zero, english.ToString());
        Assert.That(english.Stderr, Does.Contain("error: 404 Not found").And.Contain("Dataset 'nobody.nothing' does not exist.").And.Contain("hint: check the id with dx datasets list"));

        var byOption = await RunAsync(["datasets", "show", "nobody.nothing", "--lang", "zh-CN"], NoLocale);
        Assert.That(byOption.ExitCode, Is.EqualTo(english.ExitCode), "the exit code does not depend on the language");
        Assert.That(byOption.Stderr, Does.Contain("错误： 404 Not found"), "the problem's title stays its English code");
        Assert.That(byOption.Stderr, Does.Contain("数据集“nobody.nothing”不存在。"), "the server's detail in Chinese");
        Assert.That(byOption.Stderr, Does.Contain("提示： 请用 dx datasets list 核对 id"));

        var byLang = await RunAsync(["datasets", "show", "nobody.nothing"], new Dictionary<string, string> { ["LC_ALL"] = "", ["LC_MESSAGES"] = "", ["LANG"] = "zh_CN.UTF-8" });
        Assert.That(byLang.Stderr, Does.Contain("错误： 404 Not found").And.Contain("数据集“nobody.nothing”不存在。"));
        var lcAllWins = await RunAsync(["datasets", "show", "nobody.nothing"], new Dictionary<string, string> { ["LC_ALL"] = "en_US.UTF-8", ["LANG"] = "zh_CN.UTF-8" });
        Assert.That(lcAllWins.Stderr, Does.Contain("error: 404 Not found").And.Contain("Dataset 'nobody.nothing' does not exist."));
        var optionWins = await RunAsync(["--lang=en", "datasets", "show", "nobody.nothing"], new Dictionary<string, string> { ["LC_ALL"] = "zh_CN.UTF-8" });
        Assert.That(optionWins.Stderr, Does.Contain("error: 404 Not found"));

        // A table: its headers in Chinese, its data as served; --json is the same document either way.
        var table = await RunAsync(["agencies", "list", "--lang", "zh-CN"], NoLocale);
        Assert.That(table.ExitCode, Is.Zero, table.ToString());
        Assert.That(table.Stdout, Does.Contain("编号").And.Contain("代码").And.Contain("名称").And.Contain("Exchange operator"));
        Assert.That(table.Stdout, Does.Not.Contain("Created"));
        var jsonZh = await RunAsync(["agencies", "list", "--json", "--lang", "zh-CN"], NoLocale);
        var jsonEn = await RunAsync(["agencies", "list", "--json"], NoLocale);
        Assert.That(jsonZh.Stdout, Is.EqualTo(jsonEn.Stdout));
    }
}
