using System.Text.Json;
using System.Text.Json.Nodes;

namespace DataExchange.Cli.Infrastructure;

/// <summary>Where to connect and with which key.</summary>
public sealed record Connection(Uri Server, string Key);

/// <summary>
/// The per-user config file holding <c>{ "server": ..., "key": ... }</c>. The key is a bearer
/// credential, so the file is created 0600 inside a 0700 directory and never world-readable,
/// even for an instant.
/// </summary>
public static class DxConfig
{
    const UnixFileMode FileMode0600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    const UnixFileMode DirMode0700 = FileMode0600 | UnixFileMode.UserExecute;

    /// <summary>$DX_CONFIG, else $XDG_CONFIG_HOME/dx/config.json, else ~/.config/dx/config.json.</summary>
    public static string Path
    {
        get
        {
            var explicitPath = Environment.GetEnvironmentVariable("DX_CONFIG");
            if (!string.IsNullOrWhiteSpace(explicitPath))
            {
                return explicitPath;
            }

            var xdg = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME");
            var root = !string.IsNullOrWhiteSpace(xdg)
                ? xdg
                : System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
            return System.IO.Path.Combine(root, "dx", "config.json");
        }
    }

    /// <summary>
    /// Resolves the connection: DX_SERVER / DX_KEY win over the file so scripts and tests can run
    /// without touching the user's login.
    /// </summary>
    public static Connection Resolve()
    {
        var (fileServer, fileKey) = Read();
        var server = Env("DX_SERVER") ?? fileServer;
        var key = Env("DX_KEY") ?? fileKey;
        if (server is null || key is null)
        {
            throw new NotLoggedInException(
                $"No server or key configured (looked at DX_SERVER/DX_KEY and {Path}).");
        }

        return new Connection(ParseServer(server), key);
    }

    /// <summary>Parses a server URL, insisting on http(s) so typos fail before any request.</summary>
    public static Uri ParseServer(string server)
    {
        if (!Uri.TryCreate(server.Trim(), UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new UsageException($"'{server}' is not an http(s) URL.", "e.g. --server https://dx.example.gov");
        }

        return uri;
    }

    public static void Save(Connection connection)
    {
        var path = Path;
        var dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(dir);
        }
        else
        {
            // Only applies when the directory is new; an existing directory is the user's choice.
            Directory.CreateDirectory(dir, DirMode0700);
        }

        var json = new JsonObject
        {
            ["server"] = connection.Server.ToString().TrimEnd('/'),
            ["key"] = connection.Key,
        }.ToJsonString(new JsonSerializerOptions { WriteIndented = true });

        // Write a fresh 0600 temp file and rename it over the old one: the key is never in a
        // file with wider permissions, and a crash cannot leave a half-written config.
        var temp = path + ".tmp-" + Environment.ProcessId;
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = FileMode0600;
        }

        try
        {
            using (var stream = new FileStream(temp, options))
            using (var writer = new StreamWriter(stream))
            {
                writer.Write(json);
            }

            if (!OperatingSystem.IsWindows())
            {
                // The umask can only remove bits, but be explicit in case the filesystem ignores create modes.
                File.SetUnixFileMode(temp, FileMode0600);
            }

            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    static (string? Server, string? Key) Read()
    {
        var path = Path;
        if (!File.Exists(path))
        {
            return (null, null);
        }

        try
        {
            var node = JsonNode.Parse(File.ReadAllText(path));
            return (node?["server"]?.GetValue<string>(), node?["key"]?.GetValue<string>());
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            throw new UsageException($"Config file {path} is not valid JSON: {ex.Message}", "run dx login again to rewrite it");
        }
    }

    static string? Env(string name)
    {
        var value = Environment.GetEnvironmentVariable(name);
        return string.IsNullOrWhiteSpace(value) ? null : value;
    }
}
