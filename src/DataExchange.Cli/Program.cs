using DataExchange.Cli.Infrastructure;
using DataExchange.Cli.Session;
using Spectre.Console.Cli;

// Ctrl+C cancels the running request instead of killing the process, so streams are closed and
// partial output files are not left half-flushed; a second Ctrl+C still terminates immediately.
using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    if (!cts.IsCancellationRequested)
    {
        e.Cancel = true;
        cts.Cancel();
    }
};

var app = new CommandApp();
app.Configure(config =>
{
    config.SetApplicationName("dx");
    config.SetHelpProvider(new DxHelpProvider(config.Settings));
    config.CancellationExitCode(ExitCodes.Cancelled);
    // Unknown options are typos, not pass-through arguments: fail with exit 1 instead of ignoring them.
    config.UseStrictParsing();
    // Anything reaching here is a parse/validation error (commands report their own failures).
    config.SetExceptionHandler((ex, _) => ErrorReporter.ReportUsage(ex));

    config.AddCommand<LoginCommand>("login")
        .WithDescription("Verify a server URL and API key, then save them to the config file")
        .WithExample("login", "--server", "https://dx.example.gov", "--key", "dxk_...");
    config.AddCommand<MeCommand>("me")
        .WithDescription("Show the client, agency and roles of the current key");
});

return await app.RunAsync(args, cts.Token).ConfigureAwait(false);
