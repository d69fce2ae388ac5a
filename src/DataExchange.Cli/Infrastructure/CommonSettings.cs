using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace DataExchange.Cli.Infrastructure;

/// <summary>Settings for commands that show server data: <c>--json</c> passes the server's JSON through for scripts.</summary>
public class JsonSettings : CommandSettings
{
    [CommandOption("--json")]
    [Description("Print the raw JSON returned by the server instead of a table")]
    public bool Json { get; init; }
}

/// <summary>What <see cref="Paging"/> needs from a list command's settings.</summary>
public interface IListOptions
{
    bool Json { get; }

    int? Limit { get; }

    bool All { get; }
}

/// <summary>Paging options shared by every list (the API pages with ?limit=&amp;after=).</summary>
public class ListSettings : JsonSettings, IListOptions
{
    [CommandOption("--limit <N>")]
    [Description("Maximum items per page (server default when omitted)")]
    public int? Limit { get; init; }

    [CommandOption("--all")]
    [Description("Follow the 'next' cursor and fetch every page")]
    public bool All { get; init; }

    public override ValidationResult Validate() =>
        Limit is <= 0 ? ValidationResult.Error("--limit must be a positive number") : ValidationResult.Success();
}

/// <summary>Settings whose first argument is a dataset id.</summary>
public class DatasetSettings : JsonSettings
{
    [CommandArgument(0, "<DATASET>")]
    [Description("Dataset id, e.g. health.facilities (see dx datasets list)")]
    public string Dataset { get; init; } = "";
}

/// <summary>A paged list under one dataset.</summary>
public class DatasetListSettings : ListSettings
{
    [CommandArgument(0, "<DATASET>")]
    [Description("Dataset id (see dx datasets list)")]
    public string Dataset { get; init; } = "";
}
