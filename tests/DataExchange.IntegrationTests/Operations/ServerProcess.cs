using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using DataExchange.IntegrationTests.Hosting;
using NUnit.Framework;

namespace DataExchange.IntegrationTests.Operations;

/// <summary>The built server (<c>DataExchange.Server.dll</c>) run as an operator runs it: a process with arguments, stopped by Ctrl+C.</summary>
public sealed class ServerProcess : IAsyncDisposable
{
    readonly Process _process;
    readonly ConcurrentQueue<string> _lines = new();

    ServerProcess(Process process) => _process = process;

    /// <summary>Everything the process wrote so far, stdout and stderr.</summary>
    public IReadOnlyCollection<string> Lines => _lines;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Starts <c>dotnet DataExchange.Server.dll</c> from the repository root with no connection string (embedded cluster) unless one is set.</summary>
    public static ServerProcess Start(IEnumerable<string> args, IDictionary<string, string>? environment = null)
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";
        var dll = Path.Combine(Samples.RepositoryRoot, "src", "DataExchange.Server", "bin", configuration, "net10.0", "DataExchange.Server.dll");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = Samples.RepositoryRoot };
        info.ArgumentList.Add(dll);
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment.Remove("ConnectionStrings__DataExchange");
        info.Environment.Remove("DX_DATABASE_URL");
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) info.Environment[k] = v;
        var server = new ServerProcess(Process.Start(info)!);
        server._process.OutputDataReceived += (_, e) => { if (e.Data is not null) server._lines.Enqueue(e.Data); };
        server._process.ErrorDataReceived += (_, e) => { if (e.Data is not null) server._lines.Enqueue(e.Data); };
        server._process.BeginOutputReadLine();
        server._process.BeginErrorReadLine();
        return server;
    }

    /// <summary>Runs <c>--bootstrap-admin</c> as an operator would, to its clean exit; returns the admin key it prints once.</summary>
    public static async Task<string> BootstrapAdminAsync(IDictionary<string, string> environment, CancellationToken cancellationToken)
    {
        await using var bootstrap = Start(["--bootstrap-admin"], environment);
        var key = (await bootstrap.WaitForLineAsync("Admin key (shown once", cancellationToken)).Split(": ", 2)[1].Trim();
        await bootstrap.WaitForExitAsync(cancellationToken);
        Assert.That(bootstrap.ExitCode, Is.Zero, "--bootstrap-admin exits cleanly");
        return key;
    }

    /// <summary>The server with <paramref name="args"/> at a free port on 127.0.0.1, started and listening.</summary>
    public static async Task<(ServerProcess Server, string Url)> StartListeningAsync(IEnumerable<string> args, IDictionary<string, string> environment,
        CancellationToken cancellationToken)
    {
        var url = $"http://127.0.0.1:{FreePort()}";
        var server = Start(["--urls", url, .. args], environment);
        await server.WaitForLineAsync("Now listening on", cancellationToken);
        return (server, url);
    }

    /// <summary>
    /// An API node (<c>--role api</c>: no Hangfire server) on an existing database at a free port, started and
    /// listening; <paramref name="settings"/> (<c>Section:Key</c>) override configuration.
    /// </summary>
    public static async Task<(ServerProcess Server, Uri Address)> StartApiAsync(string connectionString, CancellationToken cancellationToken, IDictionary<string, string>? settings = null)
    {
        var address = new Uri($"http://127.0.0.1:{FreePort()}");
        var environment = new Dictionary<string, string> { ["ConnectionStrings__DataExchange"] = connectionString, ["ASPNETCORE_ENVIRONMENT"] = "Testing" };
        foreach (var (k, v) in settings ?? new Dictionary<string, string>()) environment[k.Replace(":", "__", StringComparison.Ordinal)] = v;
        var server = Start(["--urls", address.ToString().TrimEnd('/'), "--role", "api"], environment);
        await server.WaitForLineAsync("Now listening on", cancellationToken);
        return (server, address);
    }

    /// <summary>Waits for a line containing <paramref name="text"/>; fails with the output when the process exits first.</summary>
    public async Task<string> WaitForLineAsync(string text, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_lines.FirstOrDefault(l => l.Contains(text, StringComparison.Ordinal)) is { } line) return line;
            if (_process.HasExited)
            {
                await Task.Delay(200, CancellationToken.None); // let the last lines arrive
                if (_lines.FirstOrDefault(l => l.Contains(text, StringComparison.Ordinal)) is { } last) return last;
                Assert.Fail($"the server exited ({_process.ExitCode}) before writing '{text}':\n{string.Join('\n', _lines)}");
            }
            await Task.Delay(200, cancellationToken);
        }
    }

    /// <summary>Waits for the process to end by itself.</summary>
    public Task WaitForExitAsync(CancellationToken cancellationToken) => _process.WaitForExitAsync(cancellationToken);

    /// <summary>SIGINT, as Ctrl+C, then waits (90 s at most) for a clean stop; the embedded cluster stops with the server.</summary>
    public async Task InterruptAsync()
    {
        if (_process.HasExited) return;
        using (var kill = Process.Start("kill", ["-INT", _process.Id.ToString(CultureInfo.InvariantCulture)])) await kill.WaitForExitAsync(CancellationToken.None);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try { await _process.WaitForExitAsync(stop.Token); }
        catch (OperationCanceledException) { _process.Kill(entireProcessTree: true); }
    }

    /// <summary>SIGKILL: no shutdown hooks, no flush, no cleanup, as when a machine dies.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public async ValueTask DisposeAsync()
    {
        await InterruptAsync();
        _process.Dispose();
    }

    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    /// <summary>A temporary folder the postgres user can traverse (the embedded cluster runs as that user when we are root).</summary>
    public static DirectoryInfo OpenTempFolder(string prefix)
    {
        var tmp = Directory.CreateTempSubdirectory(prefix);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(tmp.FullName, (UnixFileMode)0b111_101_101);
        return tmp;
    }

    public static void TryDelete(DirectoryInfo dir)
    {
        try { dir.Delete(recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
