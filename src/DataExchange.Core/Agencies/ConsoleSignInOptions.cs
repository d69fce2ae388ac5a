namespace DataExchange.Core.Agencies;

/// <summary>Limits of anonymous sign-in to the web console (section <c>Console:SignIn</c>).</summary>
public sealed class ConsoleSignInOptions
{
    /// <summary>Sign-in attempts one source address may make per <see cref="Window"/>. Default 10: a person mistyping a key a few times never meets it, a script guessing keys is slowed to 14,400 tries a day per address.</summary>
    public int PermitLimit { get; set; } = 10;

    /// <summary>The rate limiter's fixed window. Default 1 minute.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long refused attempts from one source are counted before their summary is audited. Default 15 minutes:
    /// a flood from one address costs the audit log at most two entries per 15 minutes (192 a day).
    /// </summary>
    public TimeSpan AuditWindow { get; set; } = TimeSpan.FromMinutes(15);
}
