namespace DataExchange.Cli.Infrastructure;

/// <summary>Argument spellings that are documented for dx but that Spectre.Console.Cli cannot declare.</summary>
public static class Compat
{
    /// <summary>
    /// "dx datasets list --q TEXT" mirrors the API's ?q= parameter, but Spectre forbids one-letter
    /// long options, so it is mapped to the declared "--query" before parsing.
    /// </summary>
    public static string[] Rewrite(string[] args)
    {
        if (args.Length < 2 || args[0] != "datasets")
        {
            return args;
        }

        return [.. args.Select(a => a == "--q" ? "--query" : a.StartsWith("--q=", StringComparison.Ordinal) ? "--query=" + a[4..] : a)];
    }
}
