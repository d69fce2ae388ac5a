namespace DataExchange.Server.Hosting;

/// <summary>
/// Which parts this process runs (<c>--role api|worker|all</c> or <c>Server:Role</c>): the REST API
/// and console, the Hangfire worker, or both (the default). Scale out by starting more of either.
/// </summary>
public sealed record ServerRoles(bool Api, bool Worker)
{
    /// <summary>Reads the role from configuration; throws on an unknown one.</summary>
    public static ServerRoles From(IConfiguration configuration) => (configuration["role"] ?? configuration["Server:Role"] ?? "all") switch
    {
        "all" => new(true, true),
        "api" => new(true, false),
        "worker" => new(false, true),
        var other => throw new InvalidOperationException($"Unknown role '{other}': use api, worker or all."),
    };
}
