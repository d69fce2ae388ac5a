using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace DataExchange.Benchmarks.Pull;

/// <summary>
/// platformatic-db (npm <c>@platformatic/db</c>, Node), a generic REST server over PostgreSQL tables, serving
/// <c>dx.records</c> of the benchmark's database: the read benchmark's outside reference (issue 14). It runs
/// from a folder where <c>@platformatic/db</c> is installed (<c>--platformatic DIR</c> or <c>DX_PLATFORMATIC</c>),
/// with the Node of <c>--node</c> or <c>DX_NODE</c> (else <c>node</c> on the PATH), as a child process that maps
/// only that table, no GraphQL, pages of up to 1,000 rows, logging warnings only.
/// </summary>
public sealed class Platformatic : IAsyncDisposable
{
    // Loads @platformatic/db from the folder given, starts it on a free port of 127.0.0.1 and prints its URL.
    const string Launcher = """
        import { pathToFileURL } from 'node:url'
        import { join } from 'node:path'
        const [prefix, connectionString, root] = process.argv.slice(2)
        const { create, version } = await import(pathToFileURL(join(prefix, 'node_modules/@platformatic/db/index.js')).href)
        const app = await create(root, {
          server: { port: 0, logger: { level: 'warn' } },
          db: { connectionString, schema: ['dx'], include: { records: true }, graphql: false, openapi: true, limit: { default: 100, max: 1000 } },
        })
        await app.start({ listen: false })
        // Listening here: platformatic binds every address when it believes it runs in a container, this one stays on 127.0.0.1.
        const fastify = app.getApplication()
        await fastify.listen({ host: '127.0.0.1', port: 0 })
        console.log(`platformatic-db ${version} on node ${process.version} at http://127.0.0.1:${fastify.server.address().port}`)
        process.stdin.on('end', async () => { await app.close(); process.exit(0) })
        process.stdin.resume()
        """;

    readonly Process _process;
    readonly string _root;

    Platformatic(Process process, string root, Uri address, string banner) => (_process, _root, Address, Banner) = (process, root, address, banner);

    /// <summary>Where it listens.</summary>
    public Uri Address { get; }

    /// <summary>What runs: platformatic-db's and Node's versions.</summary>
    public string Banner { get; }

    /// <summary>The folder from the option or the environment, or null when platformatic-db is not installed.</summary>
    public static string? Folder(string? option) =>
        (option ?? Environment.GetEnvironmentVariable("DX_PLATFORMATIC")) is { Length: > 0 } dir
        && File.Exists(Path.Combine(dir, "node_modules", "@platformatic", "db", "index.js")) ? dir : null;

    /// <summary>Starts platformatic-db on <paramref name="connectionString"/>'s database; returns once it listens.</summary>
    public static async Task<Platformatic> StartAsync(string folder, string? node, string connectionString)
    {
        var pg = new NpgsqlConnectionStringBuilder(connectionString);
        var url = string.Create(CultureInfo.InvariantCulture,
            $"postgres://{Uri.EscapeDataString(pg.Username!)}:{Uri.EscapeDataString(pg.Password!)}@{pg.Host}:{pg.Port}/{pg.Database}");
        var root = Directory.CreateTempSubdirectory("dx-platformatic-").FullName;
        var script = Path.Combine(root, "launch.mjs");
        await File.WriteAllTextAsync(script, Launcher);
        var info = new ProcessStartInfo(node ?? Environment.GetEnvironmentVariable("DX_NODE") ?? "node")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { script, Path.GetFullPath(folder), url, root }) info.ArgumentList.Add(arg);
        var process = Process.Start(info) ?? throw new InvalidOperationException("node did not start");
        var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(2));
        if (line is null || !line.StartsWith("platformatic-db ", StringComparison.Ordinal))
            throw new InvalidOperationException($"platformatic-db did not start (exit {(process.HasExited ? process.ExitCode : -1)}): {line}");
        return new Platformatic(process, root, new Uri(line[(line.LastIndexOf(" at ", StringComparison.Ordinal) + 4)..]), line);
    }

    /// <summary>Its process id, to read its CPU time.</summary>
    public int ProcessId => _process.Id;

    /// <summary>CPU seconds it has used so far.</summary>
    public double CpuSeconds
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime.TotalSeconds;
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _process.StandardInput.Close();
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try { await _process.WaitForExitAsync(wait.Token); }
        catch (OperationCanceledException) { _process.Kill(entireProcessTree: true); }
        _process.Dispose();
        Directory.Delete(_root, recursive: true);
    }
}
