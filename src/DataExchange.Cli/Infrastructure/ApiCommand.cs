using Spectre.Console.Cli;

namespace DataExchange.Cli.Infrastructure;

/// <summary>
/// Base for every command that calls the server: builds the client from config/env and maps any
/// failure to stderr text plus an exit code, so each command only writes its happy path.
/// </summary>
public abstract class ApiCommand<TSettings> : AsyncCommand<TSettings>
    where TSettings : CommandSettings
{
    public sealed override async Task<int> ExecuteAsync(CommandContext context, TSettings settings, CancellationToken cancellationToken)
    {
        Uri? server = null;
        try
        {
            using var api = CreateClient(settings);
            server = api.Server;
            return await RunAsync(api, settings, cancellationToken).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // This is the top-level handler: every failure must become an exit code, not a stack trace.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return ErrorReporter.Report(ex, server, cancellationToken);
        }
    }

    /// <summary>Overridden by <c>dx login</c>, which connects with the credentials it is about to save.</summary>
    protected virtual ApiClient CreateClient(TSettings settings) => ApiClient.FromConfig();

    protected abstract Task<int> RunAsync(ApiClient api, TSettings settings, CancellationToken ct);
}
