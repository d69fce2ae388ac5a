namespace DataExchange.Core.Audit;

/// <summary>Settings of the audit trail (section <c>Audit</c>).</summary>
public sealed class AuditOptions
{
    /// <summary>
    /// Sign a checkpoint once this many entries have been appended since the last one. Default 1000:
    /// at the demo's rate that is a few minutes of activity, and a checkpoint costs one read of the
    /// entry hashes (32 bytes each) plus one ECDSA signature.
    /// </summary>
    public int CheckpointEvery { get; set; } = 1000;

    /// <summary>Sign a checkpoint at least this often while new entries arrive. Default 60 s.</summary>
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How often the worker looks at the head of the log. Default 5 s (bounds the lag behind <see cref="CheckpointEvery"/>).</summary>
    public TimeSpan CheckpointPollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The ECDSA P-256 signing key (PKCS#8 PEM), generated with mode 0600 when missing. Default:
    /// <c>~/.local/share/dataexchange/audit-signing-key.pem</c> (the user's local application data).
    /// Kept out of the database on purpose: whoever can rewrite the log in PostgreSQL must not also
    /// be able to re-sign it. Several worker nodes must share one key file (a mounted secret).
    /// </summary>
    public string SigningKeyPath { get; set; } = Path.Combine(
        Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify), "dataexchange", "audit-signing-key.pem");

    /// <summary>
    /// Refusals of callers without a valid key are audited once per source address, kind and window
    /// of this length, and counted in dx.refusal_windows after that. Default 10 min: a flood of
    /// garbage keys adds at most six entries an hour per address and kind.
    /// </summary>
    public TimeSpan RefusalWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Whether successful pulls are audited. Default true (invariant 5). Only the pull benchmark
    /// turns it off, to measure what auditing costs; refusals are always audited.
    /// </summary>
    public bool RecordPulls { get; set; } = true;
}
