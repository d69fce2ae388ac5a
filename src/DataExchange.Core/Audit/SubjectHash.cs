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
        var hashes = new string[storedKeys.Count];
        for (var i = 0; i < hashes.Length; i++) hashes[i] = Of(key, datasetId, storedKeys[i]);
        return hashes;
    }

    // One HMAC context per thread for the subject key, reset after each subject (as PolicyShaper's for masks): the one-shot
    // HMACSHA256.HashData set a context up per lookup, and the input went through an interpolated string and its bytes.
    [ThreadStatic] static IncrementalHash? t_hmac;
    [ThreadStatic] static byte[]? t_hmacKey;

    /// <summary>HMAC-SHA256 under <paramref name="key"/> of the UTF-8 of dataset id, U+0000 and stored key, lowercase hex.</summary>
    static string Of(byte[] key, string datasetId, string storedKey)
    {
        if (t_hmac is null || !key.AsSpan().SequenceEqual(t_hmacKey))
        {
            t_hmac?.Dispose();
            t_hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
            t_hmacKey = [.. key];
        }
        Append(t_hmac, datasetId);
        t_hmac.AppendData([0]);
        Append(t_hmac, storedKey);
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        t_hmac.GetHashAndReset(mac);
        return Convert.ToHexStringLower(mac);
    }

    static void Append(IncrementalHash hmac, string text)
    {
        var length = Encoding.UTF8.GetMaxByteCount(text.Length);
        if (length > 1024)
        {
            hmac.AppendData(Encoding.UTF8.GetBytes(text));
            return;
        }
        Span<byte> utf8 = stackalloc byte[length];
        hmac.AppendData(utf8[..Encoding.UTF8.GetBytes(text, utf8)]);
    }
}
