using System.Security.Cryptography;
using DataExchange.Core.Common;
using Microsoft.Extensions.Options;

namespace DataExchange.Core.Audit;

/// <summary>
/// The ECDSA P-256 key that signs checkpoints: a PKCS#8 PEM file at <see cref="AuditOptions.SigningKeyPath"/>,
/// generated on first use with mode 0600 (<see cref="EcKeyFile"/>). A file rather than a database row because
/// the point of a signature is that rewriting the log in PostgreSQL is not enough to forge it; the price is
/// that every worker node needs the same file, and losing it means a new key id from then on.
/// </summary>
public sealed class AuditSigningKey(IOptions<AuditOptions> options) : IDisposable
{
    // Loaded lazily, so API-only tools that never sign never touch the file.
    readonly EcKeyFile _file = new(options.Value.SigningKeyPath);

    /// <summary>Whether this node has the key file: only then may it sign on demand without minting a key of its own.</summary>
    public bool IsHeld => _file.IsHeld;

    /// <summary>The public key as SubjectPublicKeyInfo PEM.</summary>
    public string PublicKeyPem => _file.PublicKeyPem;

    /// <summary>The first 8 bytes of SHA-256 of the DER SubjectPublicKeyInfo, in hex.</summary>
    public string KeyId => _file.KeyId;

    /// <summary>An ASN.1 DER (RFC 3279) ECDSA-SHA256 signature, the form openssl and most verifiers take.</summary>
    public byte[] Sign(byte[] data) => _file.Key.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);

    /// <summary>Whether <paramref name="signature"/> is this key's signature of <paramref name="data"/>.</summary>
    public bool Verify(byte[] data, byte[] signature) =>
        _file.Key.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);

    /// <summary>The key id of any EC key.</summary>
    public static string KeyIdOf(ECDsa key) => EcKeyFile.KeyIdOf(key);

    /// <inheritdoc />
    public void Dispose() => _file.Dispose();
}
