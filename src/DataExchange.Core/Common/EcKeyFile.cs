using System.Security.Cryptography;

namespace DataExchange.Core.Common;

/// <summary>
/// An ECDSA P-256 private key kept in a PKCS#8 PEM file, generated on first use with mode 0600: the
/// audit checkpoint key and the lookup evidence key. A file rather than a database row, so that whoever
/// can rewrite the database cannot also sign; every node that signs needs the same file (a mounted secret).
/// </summary>
public sealed class EcKeyFile : IDisposable
{
    readonly Lazy<ECDsa> _key;
    readonly string _path;

    /// <summary>The key at <paramref name="path"/>, loaded (or created) on first use.</summary>
    public EcKeyFile(string path)
    {
        _path = path;
        _key = new Lazy<ECDsa>(() => LoadOrCreate(_path));
    }

    /// <summary>Whether this node has the key file: only then may it sign without minting a key of its own.</summary>
    public bool IsHeld => _key.IsValueCreated || File.Exists(_path);

    /// <summary>The key.</summary>
    public ECDsa Key => _key.Value;

    /// <summary>The public key as SubjectPublicKeyInfo PEM.</summary>
    public string PublicKeyPem => Key.ExportSubjectPublicKeyInfoPem();

    /// <summary>The first 8 bytes of SHA-256 of the DER SubjectPublicKeyInfo, in hex.</summary>
    public string KeyId => KeyIdOf(Key);

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
