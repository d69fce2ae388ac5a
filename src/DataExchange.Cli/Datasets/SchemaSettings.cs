using System.ComponentModel;
using DataExchange.Cli.Infrastructure;
using Spectre.Console.Cli;

namespace DataExchange.Cli.Datasets;

public sealed class SchemaSettings : DatasetSettings
{
    [CommandArgument(1, "<SCHEMA>")]
    [Description("JSON Schema file for the dataset's records")]
    public string Schema { get; init; } = "";
}
