using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Npgsql;
using static DataExchange.Core.Hosting.PostgresPrograms;

namespace DataExchange.Core.Hosting;

/// <summary>
/// A private PostgreSQL cluster run from the machine's own binaries: the embedded default of the
/// server and the database of the tests. Runs as the <c>postgres</c> user when we are root, because
/// PostgreSQL refuses to run as root.
/// </summary>
public sealed class EmbeddedPostgres : IAsyncDisposable
{
    const string DirectoryPrefix = "dataexchange-pg-";
    const string OwnerFile = "dataexchange.owner";

    readonly string _binDir;
    readonly bool _ownsDirectory;
    string _serverOptions = "";
    bool _stopped;

    EmbeddedPostgres(string binDir, string dataDirectory, int port, string password, bool ownsDirectory)
    {
        _binDir = binDir;
        DataDirectory = dataDirectory;
        Port = port;
        Password = password;
        _ownsDirectory = ownsDirectory;
    }

    /// <summary>The data directory of the cluster.</summary>
    public string DataDirectory { get; }

    /// <summary>The TCP port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>The superuser password, random per cluster.</summary>
    public string Password { get; }

    /// <summary>A connection string for <paramref name="database"/> as the superuser.</summary>
    public string ConnectionString(string database = "postgres") => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = "postgres",
        Password = Password,
        Database = database,
        // Hangfire, the app pool and the tests share one cluster; 100 connections stay well under max_connections.
        MaxPoolSize = 40,
    }.ConnectionString;

    /// <summary>Initialises (when new) and starts a cluster; returns when it accepts connections.</summary>
    public static async Task<EmbeddedPostgres> StartAsync(EmbeddedPostgresOptions options, CancellationToken cancellationToken = default)
    {
        CleanUpAbandonedClusters();
        var binDir = options.BinDirectory ?? await FindBinDirectoryAsync(cancellationToken);
        var ownsDirectory = options.DataDirectory is null;
        var dataDir = options.DataDirectory is { } configured
            ? Path.GetFullPath(configured)
            : await DisposableDirectoryAsync(cancellationToken);
        var password = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var passwordFile = Path.Combine(dataDir, "dataexchange.password");

        if (!File.Exists(Path.Combine(dataDir, "PG_VERSION")))
        {
            // We create the (empty) directory and hand it to the server's user, so that user needs only to
            // traverse its parents; then check it can, instead of letting initdb fail deep inside.
            if (!await PrepareDirectoryAsync(dataDir, cancellationToken))
                throw new InvalidOperationException(
                    $"The embedded PostgreSQL runs as the '{ServerUser}' user, which cannot reach '{dataDir}' (a parent folder is not open to it). "
                    + "Set EmbeddedPostgres:DataDirectory (environment: EmbeddedPostgres__DataDirectory) to a folder that user can reach, such as "
                    + "/var/lib/dataexchange/postgres, or set ConnectionStrings:DataExchange to use your own PostgreSQL.");
            // The password goes through a 0600 file owned by the server's user: /dev/stdin of a pipe
            // made by root cannot be opened by postgres.
            var initPasswordFile = dataDir + ".pw";
            await File.WriteAllTextAsync(initPasswordFile, password, cancellationToken);
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(initPasswordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            try
            {
                if (Environment.IsPrivilegedProcess) await CaptureAsync("chown", ["postgres", initPasswordFile], cancellationToken);
                await RunAsync(binDir, "initdb", ["-D", dataDir, "-U", "postgres", "-A", "scram-sha-256", "--pwfile=" + initPasswordFile, "-E", "UTF8", "--no-locale", "--no-sync"], cancellationToken);
            }
            finally
            {
                File.Delete(initPasswordFile);
            }
            await File.WriteAllTextAsync(passwordFile, password, cancellationToken);
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(passwordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        else
        {
            password = (await File.ReadAllTextAsync(passwordFile, cancellationToken)).Trim();
        }
        if (!ownsDirectory) await TakeOverAsync(binDir, dataDir, cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(dataDir, OwnerFile), Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), cancellationToken);

        for (var attempt = 1; ; attempt++)
        {
            var port = options.Port != 0 ? options.Port : FreePort();
            var settings = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["listen_addresses"] = "127.0.0.1",
                ["port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                // No Unix socket: /var/run/postgresql may not exist or belong to another cluster.
                ["unix_socket_directories"] = "''",
                ["max_connections"] = "300",
                ["shared_buffers"] = "256MB",
                ["max_wal_size"] = "2GB",
            };
            if (!options.Durable)
            {
                settings["fsync"] = "off";
                settings["synchronous_commit"] = "off";
                settings["full_page_writes"] = "off";
            }
            foreach (var (k, v) in options.Settings) settings[k] = v;
            var serverOptions = string.Join(' ', settings.Select(s => $"-c {s.Key}={s.Value}"));
            try
            {
                await RunAsync(binDir, "pg_ctl", ["start", "-D", dataDir, "-w", "-t", "60", "-l", Path.Combine(dataDir, "server.log"), "-o", serverOptions], cancellationToken);
                return new EmbeddedPostgres(binDir, dataDir, port, password, ownsDirectory) { _serverOptions = serverOptions };
            }
            catch (InvalidOperationException) when (attempt < 3 && options.Port == 0)
            {
                // Another process took the free port between our probe and the bind; try another.
            }
        }
    }

    /// <summary>Creates a database (used by the tests: one per fixture).</summary>
    public async Task CreateDatabaseAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var conn = new NpgsqlConnection(ConnectionString());
        await conn.OpenAsync(cancellationToken);
        // Identifiers cannot be parameters; the name is quoted and comes from our own code.
        await using var cmd = new NpgsqlCommand($"create database \"{name.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", conn);
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Stops the cluster (fast shutdown) and removes a data directory we created.</summary>
    public async Task StopAsync()
    {
        if (_stopped) return;
        _stopped = true;
        NpgsqlConnection.ClearAllPools();
        try
        {
            await RunAsync(_binDir, "pg_ctl", ["stop", "-D", DataDirectory, "-m", "fast", "-w", "-t", "60"], CancellationToken.None);
        }
        finally
        {
            if (_ownsDirectory) TryDelete(DataDirectory);
        }
    }

    /// <summary>Stops the server but keeps its data and port, as an outage would (fault tests).</summary>
    public Task PauseAsync() => RunAsync(_binDir, "pg_ctl", ["stop", "-D", DataDirectory, "-m", "fast", "-w", "-t", "60"], CancellationToken.None);

    /// <summary>Starts a paused server again on the same port with the same settings.</summary>
    public Task ResumeAsync() =>
        RunAsync(_binDir, "pg_ctl", ["start", "-D", DataDirectory, "-w", "-t", "60", "-l", Path.Combine(DataDirectory, "server.log"), "-o", _serverOptions], CancellationToken.None);

    /// <summary>Stops the cluster synchronously; for process-exit handlers.</summary>
    public void Stop() => StopAsync().GetAwaiter().GetResult();

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await StopAsync();

    const string ServerUser = "postgres";

    /// <summary>The folders a disposable cluster may live in: the temp folder, else /tmp when the server's user cannot reach it.</summary>
    static IEnumerable<string> TempRoots() => new[] { Path.GetTempPath(), "/tmp" }.Select(Path.GetFullPath).Distinct(StringComparer.Ordinal).Where(Directory.Exists);

    /// <summary>A new folder for a disposable cluster under the first temp root the server's user can reach.</summary>
    static async Task<string> DisposableDirectoryAsync(CancellationToken cancellationToken)
    {
        foreach (var root in TempRoots())
        {
            var dir = Path.Combine(root, DirectoryPrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)));
            if (await PrepareDirectoryAsync(dir, cancellationToken)) return dir;
            TryDelete(dir);
        }
        throw new InvalidOperationException(
            $"No temporary folder is open to the '{ServerUser}' user that runs the embedded PostgreSQL (tried {string.Join(", ", TempRoots())}). "
            + "Set TMPDIR or EmbeddedPostgres:DataDirectory to a folder that user can reach, or set ConnectionStrings:DataExchange.");
    }

    /// <summary>
    /// Creates <paramref name="dir"/> (and its parents, 0755) empty and private to the server's user; false when
    /// that user cannot reach it. As root the cluster runs as postgres, which must traverse every parent.
    /// </summary>
    static async Task<bool> PrepareDirectoryAsync(string dir, CancellationToken cancellationToken)
    {
        var parent = Path.GetDirectoryName(dir);
        if (parent is not null && !Directory.Exists(parent))
        {
            if (OperatingSystem.IsWindows()) Directory.CreateDirectory(parent);
            else Directory.CreateDirectory(parent, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }
        if (OperatingSystem.IsWindows()) { Directory.CreateDirectory(dir); return true; }
        Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        if (!Environment.IsPrivilegedProcess) return true;
        await CaptureAsync("chown", [$"{ServerUser}:", dir], cancellationToken);
        return await ExitCodeAsync("runuser", ["-u", ServerUser, "--", "test", "-w", dir, "-a", "-x", dir], cancellationToken) == 0;
    }

    /// <summary>
    /// A kept cluster is ours alone: refuse one that a live exchange process runs, and stop one left running by
    /// an exchange process that died (kill -9), whose random port and password we no longer know.
    /// </summary>
    static async Task TakeOverAsync(string binDir, string dataDir, CancellationToken cancellationToken)
    {
        var ownerFile = Path.Combine(dataDir, OwnerFile);
        if (File.Exists(ownerFile) && int.TryParse(await File.ReadAllTextAsync(ownerFile, cancellationToken), out var owner)
            && owner != Environment.ProcessId && IsAlive(owner) && File.Exists(Path.Combine(dataDir, "postmaster.pid")))
            throw new InvalidOperationException($"The embedded PostgreSQL in '{dataDir}' is in use by process {owner}. Stop it, or set EmbeddedPostgres:DataDirectory to another folder.");
        if (File.Exists(Path.Combine(dataDir, "postmaster.pid")))
        {
            try { await RunAsync(binDir, "pg_ctl", ["stop", "-D", dataDir, "-m", "fast", "-w", "-t", "60"], cancellationToken); }
            catch (InvalidOperationException) { /* not running: a stale pid file, which pg_ctl start handles */ }
        }
    }

    /// <summary>Kills clusters left by processes that died without stopping them (a killed test run).</summary>
    static void CleanUpAbandonedClusters()
    {
        foreach (var dir in TempRoots().SelectMany(root => Directory.EnumerateDirectories(root, DirectoryPrefix + "*")))
        {
            var ownerFile = Path.Combine(dir, OwnerFile);
            if (!File.Exists(ownerFile) || !int.TryParse(File.ReadAllText(ownerFile), out var owner) || IsAlive(owner)) continue;
            var pidFile = Path.Combine(dir, "postmaster.pid");
            if (File.Exists(pidFile) && int.TryParse(File.ReadLines(pidFile).FirstOrDefault(), out var postmaster) && IsAlive(postmaster))
            {
                try { Process.GetProcessById(postmaster).Kill(); } catch (ArgumentException) { } catch (InvalidOperationException) { }
            }
            TryDelete(dir);
        }
    }

    static bool IsAlive(int pid)
    {
        try { return !Process.GetProcessById(pid).HasExited; }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }

    static void TryDelete(string dir)
    {
        try { Directory.Delete(dir, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
