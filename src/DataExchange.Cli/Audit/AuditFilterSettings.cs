using System.ComponentModel;
using DataExchange.Cli.Infrastructure;
using Spectre.Console;
using Spectre.Console.Cli;

namespace DataExchange.Cli.Audit;

/// <summary>Filters shared by audit search and export, so an export reproduces exactly what a search showed.</summary>
public class AuditFilterSettings : CommandSettings
{
    [CommandOption("--action <ACTION>")]
    [Description("Only this action, as search shows it, e.g. records-pulled, access-denied, subscription-approved")]
    public string? Action { get; init; }

    [CommandOption("--dataset <DATASET>")]
    [Description("Only entries about this dataset")]
    public string? Dataset { get; init; }

    [CommandOption("--agency <AGENCY>")]
    [Description("Only entries by this acting agency")]
    public string? Agency { get; init; }

    [CommandOption("--client <CLIENT>")]
    [Description("Only entries by this API client (key) id")]
    public string? Client { get; init; }

    [CommandOption("--outcome <OUTCOME>")]
    [Description("allowed, denied, succeeded or failed")]
    public string? Outcome { get; init; }

    [CommandOption("--from <ISO>")]
    [Description("Entries at or after this time (ISO 8601)")]
    public string? From { get; init; }

    [CommandOption("--to <ISO>")]
    [Description("Entries before this time (ISO 8601)")]
    public string? To { get; init; }

    public override ValidationResult Validate()
    {
        if (Outcome is not (null or "allowed" or "denied" or "succeeded" or "failed"))
        {
            return ValidationResult.Error("--outcome must be allowed, denied, succeeded or failed");
        }

        return ValidationResult.Success();
    }

    /// <summary>The filter query for a path; paging parameters are added by the caller.</summary>
    public Query ToQuery(string path) => new Query(path)
        .Add("action", Action)
        .Add("dataset", Dataset)
        .Add("agency", Agency)
        .Add("client", Client)
        .Add("outcome", Outcome)
        .Add("from", From)
        .Add("to", To);
}
