using System.Net.Http;
using Spectre.Console;

namespace DataExchange.Cli.Infrastructure;

/// <summary>
/// Turns failures into a red message on stderr, a concrete next step, and the documented exit code.
/// Errors should tell the user what to do, not just what went wrong.
/// </summary>
public static class ErrorReporter
{
    public static int Report(Exception ex, Uri? server, CancellationToken ct)
    {
        switch (ex)
        {
            case ApiException api:
                return ReportApi(api);

            case NotLoggedInException:
                Error(ex.Message);
                Hint("run dx login --server URL --key KEY (or set DX_SERVER and DX_KEY)");
                return ExitCodes.NotAuthorized;

            case UsageException usage:
                Error(usage.Message);
                if (usage.Hint is not null)
                {
                    Hint(usage.Hint);
                }

                return ExitCodes.Usage;

            case OperationCanceledException when ct.IsCancellationRequested:
                Output.Warn("Cancelled.");
                return ExitCodes.Cancelled;

            // Not user-initiated: the connect timeout fired or the connection hung up.
            case OperationCanceledException:
            case HttpRequestException:
            case HttpIOException:
                Error($"Could not reach the server{(server is null ? "" : $" at {server}")}: {Innermost(ex).Message}");
                Hint($"is the server running at {server?.ToString() ?? "the configured URL"}? Check DX_SERVER or run dx login again.");
                return ExitCodes.ServerError;

            case FileNotFoundException:
            case DirectoryNotFoundException:
            case UnauthorizedAccessException:
            case IOException:
                Error(ex.Message);
                Hint("check the local file path and permissions");
                return ExitCodes.Usage;

            default:
                Error($"Unexpected error: {ex}");
                return ExitCodes.Usage;
        }
    }

    /// <summary>Command-line parse or validation failures, caught by the CommandApp itself.</summary>
    public static int ReportUsage(Exception ex)
    {
        Error(ex.Message);
        Hint("see dx --help, or dx COMMAND --help");
        return ExitCodes.Usage;
    }

    static int ReportApi(ApiException ex)
    {
        Error($"{ex.Status} {ex.Title}");
        if (!string.IsNullOrWhiteSpace(ex.Detail))
        {
            Output.Err.MarkupLineInterpolated($"[red]  {ex.Detail}[/]");
        }

        foreach (var e in ex.Errors)
        {
            var where = string.IsNullOrEmpty(e.Pointer) ? "" : e.Pointer + ": ";
            var code = string.IsNullOrEmpty(e.Code) ? "" : $" ({e.Code})";
            Output.Err.MarkupLineInterpolated($"[red]  - {where}{e.Message}{code}[/]");
        }

        // Correlation ids let an operator find the server-side log line.
        var trace = ex.Problem?["traceId"] ?? ex.Problem?["instance"];
        if (trace is not null)
        {
            Output.Info($"  trace: {Output.Format(trace)}");
        }

        var hint = ex.Hint ?? (ex.Status, ex.Code) switch
        {
            (401, _) => "run dx login with a valid key",
            (403, "role-required") => "your key lacks the role named above; dx me shows the roles it has",
            (403, "foreign-agency" or "not-owner") => "only stewards of the agency that owns the dataset (its id starts with the agency code) may do this; dx me shows your key's agency",
            (403, "operator-required") => "this needs a key of the operator agency",
            (403, _) => "your key lacks the role, or you need an approved subscription: dx subscriptions request DATASET --purpose \"...\"",
            (404, _) => "check the id with dx datasets list",
            (409, _) => "it already exists or was changed meanwhile; check the current state with the matching list/show command",
            (400 or 422, _) => "fix the fields listed above and retry",
            (var status, _) when status >= 500 => trace is null
                ? "the server failed; retry later, and tell the operator the time of the failure if it persists"
                : "the server failed; retry later, and tell the operator the trace id above if it persists",
            _ => null,
        };
        if (hint is not null)
        {
            Hint(hint);
        }

        return ExitCodes.FromStatus(ex.Status);
    }

    static void Error(string message) => Output.Err.MarkupLineInterpolated($"[red]{Lang.T("error:")}[/] [red]{Lang.T(message)}[/]");

    static void Hint(string hint) => Output.Err.MarkupLineInterpolated($"[yellow]{Lang.T("hint:")}[/] {Lang.T(hint)}");

    static Exception Innermost(Exception ex)
    {
        while (ex.InnerException is not null)
        {
            ex = ex.InnerException;
        }

        return ex;
    }
}
