namespace DataExchange.IntegrationTests.Hosting;

/// <summary>
/// Categories for running a part of the suite (issue 19, item 7): the fast suite is
/// <c>dotnet test --filter "TestCategory!=Browser&amp;TestCategory!=Slow"</c>.
/// </summary>
public static class TestCategories
{
    /// <summary>Drives the console in Chromium through Playwright.</summary>
    public const string Browser = "Browser";

    /// <summary>
    /// Starts processes or builds projects (the README tour, packing dx, generated clients, backup and restore,
    /// several worker or API processes, the load run): each takes from about half a minute to a few minutes.
    /// </summary>
    public const string Slow = "Slow";
}
