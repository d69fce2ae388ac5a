using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace DataExchange.Core.Audit;

/// <summary>
/// The ECDSA P-256 key that signs checkpoints: a PKCS#8 PEM file at <see cref="AuditOptions.SigningKeyPath"/>,
/// generated on first use with mode 0600. A file rather than a database row because the point of
/// a signature is that rewriting the log in PostgreSQL is not enough to forge it; the price is that
/// every worker node needs the same file, and losing it means a new key id from then on.
/// </summary>
public sealed class AuditSigningKey : IDisposable
{
    readonly Lazy<ECDsa> _key;
    readonly string _path;

    /// <summary>Loads (or creates) the key lazily, so API-only tools that never sign never touch the file.</summary>
    public AuditSigningKey(IOptions<AuditOptions> options)
    {
        _path = options.Value.SigningKeyPath;
        _key = new Lazy<ECDsa>(() => LoadOrCreate(_path));
    }

    /// <summary>Whether this node has the key file: only then may it sign on demand without minting a key of its own.</summary>
    public bool IsHeld => _key.IsValueCreated || File.Exists(_path);

    /// <summary>The public key as SubjectPublicKeyInfo PEM.</summary>
    public string PublicKeyPem => _key.Value.ExportSubjectPublicKeyInfoPem();

    /// <summary>The first 8 bytes of SHA-256 of the DER SubjectPublicKeyInfo, in hex.</summary>
    public string KeyId => KeyIdOf(_key.Value);

    /// <summary>An ASN.1 DER (RFC 3279) ECDSA-SHA256 signature, the form openssl and most verifiers take.</summary>
    public byte[] Sign(byte[] data) => _key.Value.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);

    /// <summary>Whether <paramref name="signature"/> is this key's signature of <paramref name="data"/>.</summary>
    public bool Verify(byte[] data, byte[] signature) =>
        _key.Value.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);

    /// <summary>The key id of any EC key.</summary>
    public static string KeyIdOf(ECDsa key) => Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()).AsSpan(0, 8));

    static ECDsa LoadOrCreate(string path)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        if (File.Exists(path))
        {
            key.ImportFromPem(File.ReadAllText(path));
            return key;
        }
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var pem = key.ExportPkcs8PrivateKeyPem();
        try
        {
            var mode = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows()) mode.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            using var writer = new StreamWriter(path, System.Text.Encoding.ASCII, mode);
            writer.Write(pem);
            return key;
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process created it first (CreateNew): use theirs, so both sign with one key.
            key.Dispose();
            var theirs = ECDsa.Create();
            theirs.ImportFromPem(File.ReadAllText(path));
            return theirs;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_key.IsValueCreated) _key.Value.Dispose();
    }
}
