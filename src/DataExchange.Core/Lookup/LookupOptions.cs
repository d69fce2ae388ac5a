namespace DataExchange.Core.Lookup;

/// <summary>Settings of lookups (section <c>Lookup</c>).</summary>
public sealed class LookupOptions
{
    /// <summary>Keys one <c>POST …/lookups</c> may name. Default 1000 (issue 16).</summary>
    public int MaxBatchKeys { get; set; } = 1000;

    /// <summary>Connections of the pool lookups read on (<see cref="LookupDataSource"/>). Default 16: a lookup holds one for a fraction of a millisecond.</summary>
    public int PoolSize { get; set; } = 16;

    /// <summary>
    /// The ECDSA P-256 key that signs evidence (PKCS#8 PEM), generated with mode 0600 when missing. Default:
    /// <c>~/.local/share/dataexchange/evidence-signing-key.pem</c>. Every API node must hold the same file (a
    /// mounted secret); a lost file means a new key id, and evidence signed before still verifies with the old
    /// public key only — keep the published keys.
    /// </summary>
    public string EvidenceKeyPath { get; set; } = Path.Combine(
        Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify), "dataexchange", "evidence-signing-key.pem");
}
