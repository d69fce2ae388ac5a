using System.ComponentModel;
using DataExchange.Cli.Infrastructure;
using Spectre.Console.Cli;

namespace DataExchange.Cli.Subscriptions;

/// <summary>Settings for commands addressing one subscription.</summary>
public class SubscriptionIdSettings : JsonSettings
{
    [CommandArgument(0, "<ID>")]
    [Description("Subscription id (see dx subscriptions list)")]
    public string Id { get; init; } = "";
}
