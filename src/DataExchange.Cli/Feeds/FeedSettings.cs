using System.ComponentModel;
using DataExchange.Cli.Infrastructure;
using Spectre.Console.Cli;

namespace DataExchange.Cli.Feeds;

/// <summary>Options shared by the commands that start a run.</summary>
public class FeedSettings : DatasetSettings
{
    [CommandOption("-w|--watch")]
    [Description("Wait for the run to finish, showing live progress, then print its counts (exit 6 if it failed, 8 if it was held for a steward)")]
    public bool Watch { get; init; }
}

public sealed class PushSettings : FeedSettings
{
    [CommandArgument(1, "<FILE>")]
    [Description("Payload file in the dataset's feed format (csv, ndjson, ...), streamed as-is")]
    public string File { get; init; } = "";
}

/// <summary>Settings for commands addressing one run.</summary>
public sealed class RunSettings : DatasetSettings
{
    [CommandArgument(1, "<RUNID>")]
    [Description("Run id (see dx runs list DATASET)")]
    public string RunId { get; init; } = "";
}

/// <summary>Settings of <c>dx runs replay DATASET RUNID [--watch]</c>.</summary>
public sealed class ReplaySettings : FeedSettings
{
    [CommandArgument(1, "<RUNID>")]
    [Description("The run whose quarantined rows to replay under the latest schema")]
    public string RunId { get; init; } = "";
}
