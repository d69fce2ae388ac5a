using System.Globalization;
using System.Text;

namespace DataExchange.Core.Audit;

/// <summary>
/// A signed statement "the log had <see cref="TreeSize"/> entries, whose Merkle tree head (RFC 9162)
/// is <see cref="RootHash"/> and whose last entry hash is <see cref="ChainHash"/>". The chain hash
/// lets a verifier holding only the entries check the chain; the root lets it check proofs.
/// </summary>
public sealed record AuditCheckpoint(long TreeSize, byte[] RootHash, byte[] ChainHash, DateTimeOffset SignedAt, string KeyId, byte[] Signature)
{
    /// <summary>The first line of the signed text; a new format gets a new one.</summary>
    public const string Format = "dataexchange-audit-checkpoint/v1";

    /// <summary>
    /// The exact bytes signed: six lines, each ending in '\n' — format, tree size, root hash (hex),
    /// chain hash (hex), signing time (UTC, microseconds) and key id. dx re-creates them offline.
    /// </summary>
    public static byte[] SignedText(long treeSize, byte[] rootHash, byte[] chainHash, DateTimeOffset signedAt, string keyId) =>
        Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $"{Format}\n{treeSize}\n{Convert.ToHexStringLower(rootHash)}\n{Convert.ToHexStringLower(chainHash)}\n{Time(signedAt)}\n{keyId}\n"));

    /// <summary>The signed text of this checkpoint.</summary>
    public byte[] SignedText() => SignedText(TreeSize, RootHash, ChainHash, SignedAt, KeyId);

    /// <summary>UTC to the microsecond, as entries write it (timestamptz precision).</summary>
    public static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
}
