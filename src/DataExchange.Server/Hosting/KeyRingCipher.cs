using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using DataExchange.Core.Common;
using DataExchange.Core.Pull;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;

namespace DataExchange.Server.Hosting;

/// <summary>
/// Seals each Data Protection key before it is stored in the shared ring: the element holding the key
/// material becomes a <see cref="SealedBox"/> (AES-256-GCM) under a key derived by HKDF from the server
/// secret (<c>Pull:HashKey</c>, or the generated one in dx.server_secrets; see <see cref="MaskKey"/>),
/// stored as base64 in a <c>sealed</c> element.
/// </summary>
public sealed class KeyRingCipher(MaskKey serverSecret) : IXmlEncryptor
{
    const byte Format = 1;
    static readonly byte[] Purpose = "dataexchange data protection key ring aes-256-gcm v1"u8.ToArray();
    static readonly XName Sealed = XName.Get("sealed", "urn:dataexchange:key-ring");

    /// <summary>Derives the key ahead of Data Protection's first use, which is synchronous.</summary>
    public Task LoadAsync(CancellationToken cancellationToken) => serverSecret.DeriveAsync(Purpose, cancellationToken);

    /// <inheritdoc />
    public EncryptedXmlInfo Encrypt(XElement plaintextElement)
    {
        var plain = Encoding.UTF8.GetBytes(plaintextElement.ToString(SaveOptions.DisableFormatting));
        var sealedBytes = SealedBox.Seal(Key(), Format, plain, Purpose);
        CryptographicOperations.ZeroMemory(plain);
        return new EncryptedXmlInfo(new XElement(Sealed, Convert.ToBase64String(sealedBytes)), typeof(KeyRingDecryptor));
    }

    /// <summary>The element <see cref="Encrypt"/> sealed; throws <see cref="CryptographicException"/> when it was sealed under another secret or altered.</summary>
    public XElement Open(XElement sealedElement)
    {
        var plain = sealedElement.Name == Sealed ? SealedBox.Open(Key(), Format, Convert.FromBase64String(sealedElement.Value), Purpose) : null;
        if (plain is null) throw new CryptographicException("A key of the shared key ring does not open under this server secret (was Pull:HashKey changed?).");
        try
        {
            return XElement.Parse(Encoding.UTF8.GetString(plain));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
        }
    }

    // Data Protection's interfaces are synchronous; LoadAsync ran at start and MaskKey keeps derived keys, so this does not wait.
    byte[] Key() => serverSecret.DeriveAsync(Purpose, CancellationToken.None).GetAwaiter().GetResult();
}

/// <summary>
/// Opens what <see cref="KeyRingCipher"/> sealed. Data Protection creates it from the type name stored
/// beside each key, so the name must not change.
/// </summary>
public sealed class KeyRingDecryptor(IServiceProvider services) : IXmlDecryptor
{
    /// <inheritdoc />
    public XElement Decrypt(XElement encryptedElement) => services.GetRequiredService<KeyRingCipher>().Open(encryptedElement);
}
