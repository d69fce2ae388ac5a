using System.Security.Cryptography;
using System.Text;
using DataExchange.Core.Pull;

namespace DataExchange.Core.Audit;

/// <summary>
/// How the audit log names the subject of a lookup (issue 16): HMAC-SHA256 over the dataset id and the
/// stored key, under a key derived by HKDF from the server secret with a label of its own, hex. The log can
/// then answer "who looked up this person" for whoever holds the key in clear, without being a register of
/// ids: the hash cannot be reversed without the server secret, and the same person has unrelated hashes in
/// two datasets.
/// </summary>
public sealed class SubjectHash(MaskKey maskKey)
{
    static readonly byte[] Info = "dataexchange lookup subject hmac-sha256 v1"u8.ToArray();

    /// <summary>The subject hashes of <paramref name="storedKeys"/> (keys as stored: parts joined by U+001F) in <paramref name="datasetId"/>.</summary>
    public async Task<string[]> OfAsync(string datasetId, IReadOnlyList<string> storedKeys, CancellationToken cancellationToken)
    {
        var key = await maskKey.DeriveAsync(Info, cancellationToken);
        return [.. storedKeys.Select(k => Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{datasetId}\0{k}"))))];
    }
}
