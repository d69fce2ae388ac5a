using DataExchange.IntegrationTests.Hosting;
using Microsoft.Playwright;

namespace DataExchange.IntegrationTests.Console;

/// <summary>
/// Debian's Chromium driven by Playwright, headless; never a downloaded browser. Screenshots go
/// under TestResults/ at the repository root (gitignored).
/// </summary>
public sealed class ConsoleBrowser : IAsyncDisposable
{
    /// <summary>The system browser the tests drive.</summary>
    public const string ChromiumPath = "/usr/bin/chromium";

    readonly IPlaywright _playwright;
    readonly IBrowser _browser;

    ConsoleBrowser(IPlaywright playwright, IBrowser browser) => (_playwright, _browser) = (playwright, browser);

    /// <summary>Where screenshots go.</summary>
    public static string ResultsRoot { get; } = Path.Combine(Samples.RepositoryRoot, "TestResults");

    /// <summary>Launches Chromium.</summary>
    public static async Task<ConsoleBrowser> LaunchAsync()
    {
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        return new ConsoleBrowser(playwright, browser);
    }

    /// <summary>A fresh context (no cookies) and page at <paramref name="width"/> px, against <paramref name="baseUrl"/>.</summary>
    public async Task<IPage> NewPageAsync(Uri baseUrl, int width = 1280)
    {
        var context = await _browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseUrl.ToString(),
            ViewportSize = new ViewportSize { Width = width, Height = width < 600 ? 844 : 900 },
        });
        return await context.NewPageAsync();
    }

    /// <summary>Saves a full-page screenshot as TestResults/<paramref name="relativePath"/>.</summary>
    public static async Task ScreenshotAsync(IPage page, string relativePath)
    {
        var path = Path.Combine(ResultsRoot, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
    }

    /// <summary>Screenshots <paramref name="path"/> at desktop (1280 px) and phone (390 px) widths, in the session of <paramref name="signedIn"/>.</summary>
    public static async Task ScreenshotBothWidthsAsync(IPage signedIn, string path, string name)
    {
        var page = await signedIn.Context.NewPageAsync();
        foreach (var width in new[] { 1280, 390 })
        {
            await page.SetViewportSizeAsync(width, width < 600 ? 844 : 900);
            await page.GotoAsync(path);
            await ScreenshotAsync(page, Path.Combine("screenshots", $"{name}-{width}.png"));
        }
        await page.CloseAsync();
    }

    /// <summary>Signs in on the console's sign-in page.</summary>
    public static async Task SignInAsync(IPage page, string key)
    {
        await page.GotoAsync("/console/signin");
        await page.GetByLabel("API key").FillAsync(key);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(url => !url.Contains("/signin", StringComparison.Ordinal));
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}
