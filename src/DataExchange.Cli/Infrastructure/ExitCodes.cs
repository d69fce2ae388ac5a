namespace DataExchange.Cli.Infrastructure;

/// <summary>
/// Process exit codes. Scripts and integration tests branch on these, so they are part of the
/// CLI's contract: never renumber, only add.
/// </summary>
public static class ExitCodes
{
    public const int Success = 0;

    /// <summary>Bad arguments, unreadable local file, invalid local JSON.</summary>
    public const int Usage = 1;

    /// <summary>401/403, or no credentials configured.</summary>
    public const int NotAuthorized = 2;

    /// <summary>404.</summary>
    public const int NotFound = 3;

    /// <summary>400/409/422 (and any other 4xx): the server understood but refused the request.</summary>
    public const int Refused = 4;

    /// <summary>5xx, timeouts, connection failures.</summary>
    public const int ServerError = 5;

    /// <summary>A watched feed run finished with status "failed".</summary>
    public const int RunFailed = 6;

    /// <summary>dx audit verify / witness: the audit log export, or the exchange's newest checkpoint, does not verify.</summary>
    public const int VerificationFailed = 7;

    /// <summary>A watched feed run ended "held": nothing was published until a steward releases it (dx runs release).</summary>
    public const int RunHeld = 8;

    /// <summary>Interrupted with Ctrl+C (shell convention 128 + SIGINT).</summary>
    public const int Cancelled = 130;

    /// <summary>Shown in the root help so users can find the contract without reading code.</summary>
    public const string HelpText =
        """
        Exit codes:
          0    success
          1    usage error (bad arguments, unreadable local file)
          2    not authenticated or not authorised (401/403, or not logged in)
          3    not found (404)
          4    request refused as invalid or conflicting (400/409/422)
          5    server error or server unreachable (5xx, network)
          6    feed run finished as failed (feed run/push --watch)
          7    audit log does not verify (audit verify, audit witness)
          8    feed run held for a steward, nothing published (feed run/push --watch)
          130  interrupted (Ctrl+C)
        """;

    /// <summary>Maps an HTTP error status to the exit code family it belongs to.</summary>
    public static int FromStatus(int status) => status switch
    {
        401 or 403 => NotAuthorized,
        404 => NotFound,
        >= 500 => ServerError,
        >= 400 => Refused,
        _ => ServerError,
    };
}
