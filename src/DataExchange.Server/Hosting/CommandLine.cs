namespace DataExchange.Server.Hosting;

/// <summary>
/// The server's own flags, taken out of the arguments before .NET's command-line configuration reads
/// them. That provider reads <c>--demo --urls X</c> as "demo = --urls" and drops the option silently,
/// so a bare flag must never reach it; everything else (<c>--urls</c>, <c>--role</c>,
/// <c>--Logging:…</c>) passes through unchanged, in any order.
/// </summary>
/// <param name="Demo"><c>--demo</c>: a disposable embedded cluster seeded from <c>samples/</c>.</param>
/// <param name="BootstrapAdmin"><c>--bootstrap-admin</c>: migrate, issue the first admin key, print it and exit.</param>
/// <param name="ConfigurationArgs">Everything else, for the configuration.</param>
public sealed record CommandLine(bool Demo, bool BootstrapAdmin, string[] ConfigurationArgs)
{
    /// <summary>Splits the process arguments; refuses a value given to a flag, which would otherwise be silently ignored.</summary>
    public static CommandLine Parse(IReadOnlyList<string> args)
    {
        bool demo = false, bootstrap = false;
        var rest = new List<string>(args.Count);
        foreach (var arg in args)
        {
            switch (arg)
            {
                case "--demo": demo = true; continue;
                case "--bootstrap-admin": bootstrap = true; continue;
            }
            foreach (var flag in new[] { "--demo", "--bootstrap-admin" })
                if (arg.StartsWith(flag + "=", StringComparison.Ordinal))
                    throw new ArgumentException($"'{arg}': {flag} is a flag and takes no value; write {flag}.");
            rest.Add(arg);
        }
        if (demo && bootstrap) throw new ArgumentException("--bootstrap-admin is for a real database; the demo issues its own keys.");
        return new(demo, bootstrap, [.. rest]);
    }
}
