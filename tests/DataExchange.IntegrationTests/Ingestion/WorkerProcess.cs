using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using DataExchange.IntegrationTests.Hosting;

namespace DataExchange.IntegrationTests.Ingestion;

/// <summary>The built server (<c>DataExchange.Server.dll</c>) as a separate worker process on the test database, to be killed.</summary>
public sealed class WorkerProcess : IDisposable
{
    readonly Process _process;
    readonly System.Collections.Concurrent.ConcurrentQueue<string> _output = new();

    WorkerProcess(Process process) => _process = process;

    /// <summary>Starts <c>dotnet DataExchange.Server.dll --role worker</c> with the given connection string, drop root and settings.</summary>
    public static WorkerProcess Start(string connectionString, string dropRoot, IDictionary<string, string> settings)
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";
        var dll = Path.Combine(Samples.RepositoryRoot, "src", "DataExchange.Server", "bin", configuration, "net10.0", "DataExchange.Server.dll");
        if (!File.Exists(dll)) throw new FileNotFoundException("Build the server first (dotnet build DataExchange.sln).", dll);
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { dll, "--urls", $"http://127.0.0.1:{FreePort()}", "--role", "worker" }) info.ArgumentList.Add(a);
        info.Environment["ConnectionStrings__DataExchange"] = connectionString;
        info.Environment["Feeds__DropRoot"] = dropRoot;
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        foreach (var (k, v) in settings) info.Environment[k.Replace(":", "__", StringComparison.Ordinal)] = v;
        var worker = new WorkerProcess(Process.Start(info)!);
        worker._process.OutputDataReceived += (_, e) => worker.Keep(e.Data);
        worker._process.ErrorDataReceived += (_, e) => worker.Keep(e.Data);
        worker._process.BeginOutputReadLine();
        worker._process.BeginErrorReadLine();
        return worker;
    }

    /// <summary>The operating-system process id (Hangfire server ids contain it).</summary>
    public int ProcessId => _process.Id;

    /// <summary>The last lines the process wrote, for failure messages.</summary>
    public string Output => string.Join('\n', _output);

    /// <summary>SIGKILL: no shutdown hooks, no cleanup, as when a machine dies.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    void Keep(string? line)
    {
        if (line is null) return;
        _output.Enqueue(line);
        while (_output.Count > 50) _output.TryDequeue(out _);
    }

    static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        if (!_process.HasExited) Kill();
        _process.Dispose();
    }
}
