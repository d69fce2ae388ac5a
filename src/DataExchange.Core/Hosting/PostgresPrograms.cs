using System.Diagnostics;

namespace DataExchange.Core.Hosting;

/// <summary>Finds the machine's PostgreSQL binaries and runs them and the few system commands <see cref="EmbeddedPostgres"/> needs.</summary>
internal static class PostgresPrograms
{
    /// <summary>The folder of the server binaries: pg_config's, else the newest under Debian's /usr/lib/postgresql.</summary>
    internal static async Task<string> FindBinDirectoryAsync(CancellationToken cancellationToken)
    {
        try
        {
            var output = await CaptureAsync("pg_config", ["--bindir"], cancellationToken);
            var dir = output.Trim();
            if (File.Exists(Path.Combine(dir, "initdb"))) return dir;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // pg_config is not on PATH; fall back to Debian's layout.
        }
        var candidate = Directory.Exists("/usr/lib/postgresql")
            ? Directory.EnumerateDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "initdb"))).OrderByDescending(d => d, StringComparer.Ordinal).FirstOrDefault()
            : null;
        return candidate ?? throw new InvalidOperationException(
            "PostgreSQL server binaries were not found. Install them (Debian: apt-get install postgresql) or set ConnectionStrings:DataExchange.");
    }

    /// <summary>Runs one of PostgreSQL's programs (as postgres when we are root); throws with its output and the server log's tail when it fails.</summary>
    internal static async Task RunAsync(string binDir, string tool, string[] args, CancellationToken cancellationToken)
    {
        var (file, arguments) = Environment.IsPrivilegedProcess
            ? ("runuser", new[] { "-u", "postgres", "--", Path.Combine(binDir, tool) }.Concat(args))
            : (Path.Combine(binDir, tool), args.AsEnumerable());
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in arguments) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {tool}.");
        // pg_ctl start leaves the server holding our stdout; read only until pg_ctl itself exits.
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            var log = Path.Combine(args.SkipWhile(a => a != "-D").Skip(1).FirstOrDefault() ?? "", "server.log");
            var tail = File.Exists(log) ? string.Join('\n', File.ReadLines(log).TakeLast(10)) : "";
            throw new InvalidOperationException($"{tool} failed with exit code {process.ExitCode}: {await stderr}{await ReadIfDone(stdout)}\n{tail}");
        }
    }

    static async Task<string> ReadIfDone(Task<string> task) =>
        await Task.WhenAny(task, Task.Delay(100)) == task ? await task : "";

    /// <summary>A command's standard output.</summary>
    internal static async Task<string> CaptureAsync(string file, string[] args, CancellationToken cancellationToken)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {file}.");
        var output = await process.StandardOutput.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return output;
    }

    /// <summary>A command's exit code, its output read and dropped.</summary>
    internal static async Task<int> ExitCodeAsync(string file, string[] args, CancellationToken cancellationToken)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {file}.");
        await Task.WhenAll(process.StandardOutput.ReadToEndAsync(cancellationToken), process.StandardError.ReadToEndAsync(cancellationToken));
        await process.WaitForExitAsync(cancellationToken);
        return process.ExitCode;
    }
}
