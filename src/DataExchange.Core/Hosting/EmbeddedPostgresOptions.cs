namespace DataExchange.Core.Hosting;

/// <summary>Settings of the private PostgreSQL cluster started when no connection string is configured.</summary>
public sealed class EmbeddedPostgresOptions
{
    /// <summary>Folder with initdb, pg_ctl and postgres. Default: <c>pg_config --bindir</c>, else the newest /usr/lib/postgresql/*/bin.</summary>
    public string? BinDirectory { get; set; }

    /// <summary>
    /// Data directory, kept across restarts. Null: a new folder under the system temp directory, deleted on
    /// stop (the demo and the tests). The server sets its persistent default (<see cref="PersistentDefault"/>)
    /// when it runs without <c>--demo</c>.
    /// </summary>
    public string? DataDirectory { get; set; }

    /// <summary>TCP port on 127.0.0.1. Default 0: a free port.</summary>
    public int Port { get; set; }

    /// <summary>
    /// Whether the cluster must survive a power loss. Default true. Tests turn it off (fsync=off),
    /// which roughly halves the time of a suite that creates a database per fixture.
    /// </summary>
    public bool Durable { get; set; } = true;

    /// <summary>
    /// Where a non-demo server keeps its embedded cluster: <c>/var/lib/dataexchange/postgres</c> as root (the
    /// postgres user cannot traverse /root), else <c>$XDG_DATA_HOME/dataexchange/postgres</c>
    /// (<c>~/.local/share/dataexchange/postgres</c>).
    /// </summary>
    public static string PersistentDefault()
    {
        if (Environment.IsPrivilegedProcess && !OperatingSystem.IsWindows()) return "/var/lib/dataexchange/postgres";
        var dataHome = Environment.GetEnvironmentVariable("XDG_DATA_HOME") is { Length: > 0 } xdg
            ? xdg
            : Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify);
        return Path.Combine(dataHome, "dataexchange", "postgres");
    }

    /// <summary>Extra <c>-c name=value</c> server settings.</summary>
    public Dictionary<string, string> Settings { get; } = new(StringComparer.Ordinal);
}
