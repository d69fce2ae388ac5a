namespace DataExchange.IntegrationTests.Hosting;

/// <summary>Finds the repository's samples/ and ../shared/data folders from the test binaries.</summary>
public static class Samples
{
    /// <summary>The repository root (the folder holding DataExchange.sln).</summary>
    public static string RepositoryRoot { get; } = FindUp("DataExchange.sln") ?? throw new InvalidOperationException("DataExchange.sln not found above the test binaries.");

    /// <summary>A path under samples/.</summary>
    public static string Path(params string[] parts) => System.IO.Path.Combine([RepositoryRoot, "samples", .. parts]);

    /// <summary>The shared real data folder (../shared/data), or null when absent.</summary>
    public static string? SharedData { get; } = new[] { System.IO.Path.Combine(RepositoryRoot, "..", "shared", "data") }
        .Select(System.IO.Path.GetFullPath).FirstOrDefault(Directory.Exists);

    static string? FindUp(string file)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, file))) return dir.FullName;
        return null;
    }
}
