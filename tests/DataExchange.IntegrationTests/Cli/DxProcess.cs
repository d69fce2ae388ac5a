using System.Diagnostics;
using DataExchange.IntegrationTests.Hosting;

namespace DataExchange.IntegrationTests.Cli;

/// <summary>What a <c>dx</c> process did.</summary>
public sealed record DxResult(int ExitCode, string Stdout, string Stderr)
{
    /// <inheritdoc />
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>
/// Runs the built <c>dx</c> as a real process (<c>dotnet dx.dll …</c>, the build configuration of
/// these tests), with its config file at <see cref="ConfigPath"/> and no terminal.
/// </summary>
public sealed class DxProcess(string configPath)
{
    /// <summary>DX_CONFIG of every run.</summary>
    public string ConfigPath { get; } = configPath;

    /// <summary>dx.dll of the same configuration as the test assembly.</summary>
    public static string DxDll { get; } = Path.Combine(Samples.RepositoryRoot, "src", "DataExchange.Cli", "bin",
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug",
        "net10.0", "dx.dll");

    /// <summary>
    /// Runs dx; <paramref name="key"/> and <paramref name="server"/> set DX_KEY and DX_SERVER (overriding the config file); stdout goes to
    /// <paramref name="stdoutFile"/> when given; <paramref name="environment"/> adds variables.
    /// </summary>
    public async Task<DxResult> RunAsync(string[] args, string? key = null, string? stdoutFile = null, Uri? server = null, IDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        start.ArgumentList.Add(DxDll);
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["DX_CONFIG"] = ConfigPath;
        start.Environment.Remove("DX_SERVER");
        start.Environment.Remove("DX_KEY");
        if (key is not null) start.Environment["DX_KEY"] = key;
        if (server is not null) start.Environment["DX_SERVER"] = server.ToString();
        start.Environment["NO_COLOR"] = "1";
        start.Environment["COLUMNS"] = "200";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout;
        if (stdoutFile is null) stdout = await process.StandardOutput.ReadToEndAsync();
        else
        {
            // Like `dx … > file`: stdout streamed straight to a file.
            await using (var file = File.Create(stdoutFile)) await process.StandardOutput.BaseStream.CopyToAsync(file);
            stdout = "";
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return new DxResult(process.ExitCode, stdout, await stderr);
    }
}
