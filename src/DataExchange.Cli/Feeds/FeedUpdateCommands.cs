using System.ComponentModel;
using System.Text.Json.Nodes;
using DataExchange.Cli.Infrastructure;
using Spectre.Console;
using Spectre.Console.Cli;

namespace DataExchange.Cli.Feeds;

public sealed class FeedSetSettings : DatasetSettings
{
    [CommandArgument(1, "<FEED>")]
    [Description("Feed definition JSON: { source, format, cron, mode, …, credential: { kind, username|headerName, secretEnv } }")]
    public string File { get; init; } = "";
}

public sealed class FeedCredentialSettings : DatasetSettings
{
    [CommandOption("--kind <KIND>")]
    [Description("bearer | basic | header | none (clears the credential)")]
    public string Kind { get; init; } = "";

    [CommandOption("--secret-env <VARIABLE>")]
    [Description("Environment variable holding the token, password or header value (never pass the secret itself on the command line)")]
    public string? SecretEnv { get; init; }

    [CommandOption("--username <NAME>")]
    [Description("basic: the user name")]
    public string? Username { get; init; }

    [CommandOption("--header <NAME>")]
    [Description("header: the header's name, e.g. X-Api-Key")]
    public string? Header { get; init; }

    public override ValidationResult Validate() =>
        Kind != "none" && SecretEnv is null ? ValidationResult.Error("Give --secret-env VARIABLE (or --kind none to clear the credential).") : ValidationResult.Success();
}

/// <summary>PUT /datasets/{id}/feed with a feed file: replaces the feed, its credential's secret read from the environment.</summary>
public sealed class FeedSetCommand : ApiCommand<FeedSetSettings>
{
    protected override Task<int> RunAsync(ApiClient api, FeedSetSettings settings, CancellationToken ct)
    {
        var feed = LocalJson.Read(settings.File);
        CredentialSecret.Resolve(feed, settings.File);
        return FeedUpdate.PutAsync(api, settings.Dataset, feed, settings.Json, ct);
    }
}

/// <summary>Sets or clears only the credential: reads the feed, replaces its credential, puts it back.</summary>
public sealed class FeedCredentialCommand : ApiCommand<FeedCredentialSettings>
{
    protected override async Task<int> RunAsync(ApiClient api, FeedCredentialSettings settings, CancellationToken ct)
    {
        var credential = new JsonObject { ["kind"] = settings.Kind };
        if (settings.Username is not null) credential["username"] = settings.Username;
        if (settings.Header is not null) credential["headerName"] = settings.Header;
        if (settings.SecretEnv is not null && settings.Kind != "none") credential["secret"] = CredentialSecret.FromEnvironment(settings.SecretEnv);
        var feed = (await api.GetAsync($"datasets/{ApiClient.Seg(settings.Dataset)}/feed", ct).ConfigureAwait(false)).Json as JsonObject
            ?? throw new UsageException($"The feed of {settings.Dataset} could not be read.");
        feed["credential"] = credential;
        return await FeedUpdate.PutAsync(api, settings.Dataset, feed, settings.Json, ct).ConfigureAwait(false);
    }
}

static class FeedUpdate
{
    public static async Task<int> PutAsync(ApiClient api, string dataset, JsonNode feed, bool json, CancellationToken ct)
    {
        var updated = await api.PutJsonAsync($"datasets/{ApiClient.Seg(dataset)}/feed", feed, ct).ConfigureAwait(false);
        if (json)
        {
            Output.Raw(updated.Raw);
            return ExitCodes.Success;
        }
        Output.Success($"Updated the feed of {dataset}.");
        Output.Properties(updated.Json);
        return ExitCodes.Success;
    }
}
