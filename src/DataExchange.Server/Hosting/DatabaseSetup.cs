using DataExchange.Core.Hosting;
using Npgsql;

namespace DataExchange.Server.Hosting;

/// <summary>
/// Finds the database: <c>ConnectionStrings:DataExchange</c>, else <c>DX_DATABASE_URL</c>, else the
/// embedded default — a private PostgreSQL cluster started from the machine's binaries and stopped
/// with the host. The embedded cluster keeps its data (<see cref="EmbeddedPostgresOptions.PersistentDefault"/>
/// or <c>EmbeddedPostgres:DataDirectory</c>) and starts again on it; only the demo's is disposable.
/// </summary>
public static class DatabaseSetup
{
    /// <summary>The connection string to use, starting the embedded cluster when none is configured.</summary>
    public static async Task<(string ConnectionString, EmbeddedPostgres? Embedded)> ResolveAsync(IConfiguration configuration, bool demo)
    {
        var configured = configuration.GetConnectionString("DataExchange") ?? FromUrl(configuration["DX_DATABASE_URL"]);
        if (!string.IsNullOrWhiteSpace(configured)) return (configured, null);

        var options = new EmbeddedPostgresOptions();
        configuration.GetSection("EmbeddedPostgres").Bind(options);
        // The demo seeds fresh sample data each time, so its cluster is thrown away; a pilot's is not.
        if (!demo) options.DataDirectory ??= EmbeddedPostgresOptions.PersistentDefault();
        else if (options.DataDirectory is not null)
            throw new InvalidOperationException("--demo runs on a disposable cluster; remove EmbeddedPostgres:DataDirectory or run without --demo.");
        var embedded = await EmbeddedPostgres.StartAsync(options);
        const string database = "dataexchange";
        await using (var conn = new NpgsqlConnection(embedded.ConnectionString()))
        {
            await conn.OpenAsync();
            await using var exists = new NpgsqlCommand("select 1 from pg_database where datname = $1", conn) { Parameters = { new() { Value = database } } };
            if (await exists.ExecuteScalarAsync() is null) await embedded.CreateDatabaseAsync(database);
        }
        return (embedded.ConnectionString(database), embedded);
    }

    /// <summary>Converts <c>postgres://user:password@host:port/database</c> to an Npgsql connection string.</summary>
    public static string? FromUrl(string? url)
    {
        if (string.IsNullOrWhiteSpace(url)) return null;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("postgres" or "postgresql")) return url;
        var userInfo = uri.UserInfo.Split(':', 2);
        return new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host,
            Port = uri.IsDefaultPort || uri.Port <= 0 ? 5432 : uri.Port,
            Database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/')),
            Username = userInfo.Length > 0 ? Uri.UnescapeDataString(userInfo[0]) : null,
            Password = userInfo.Length > 1 ? Uri.UnescapeDataString(userInfo[1]) : null,
        }.ConnectionString;
    }
}
